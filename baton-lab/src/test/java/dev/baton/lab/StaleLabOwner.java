package dev.baton.lab;

import java.util.concurrent.TimeUnit;

/**
 * A separate JVM that owns a lab, for {@link StaleLabRemovalTest}: builds a lab with the prefix given as its
 * argument, starts an echo server in it, prints "OWNING &lt;echo server pid&gt;" and waits to be killed (at most two
 * minutes, so that it always ends by itself).
 */
public final class StaleLabOwner {

    private StaleLabOwner() {
    }

    public static void main(String[] arguments) throws InterruptedException {
        Lab lab = Lab.builder().prefix(arguments[0]).layout(Layout.ONE_SEGMENT).clients(1).routers(0).servers(1)
                .vip("192.0.2.10").build();
        LabProcess echo = lab.server(0).startEchoServer(7000);
        System.out.println("OWNING " + echo.pid());
        System.out.flush();
        TimeUnit.MINUTES.sleep(2);
        lab.close();
    }
}
