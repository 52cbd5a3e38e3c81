package dev.baton.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a router checks a service's servers (each router checks for itself, from its server-facing interface,
 * not through the VIP). A server whose check fails {@code fall} times in a row gets no new connections until it
 * passes {@code rise} times in a row.
 *
 * @param kind         what the check does
 * @param port         the server port checked; 0 for the service's first port
 * @param path         HTTP(S): the path requested
 * @param host         HTTP(S): the Host header (and for HTTPS the TLS server name when it is a DNS name);
 *                     {@code null} for the server's address
 * @param expectStatus HTTP(S): the status code that passes
 * @param expectBody   HTTP(S): text the body must contain within its first 16 KiB; {@code null} for any body
 * @param interval     how often each server is checked
 * @param timeout      how long a check may take, less than {@code interval}
 * @param rise         passes in a row that bring a failed server back
 * @param fall         failures in a row that take a server out
 * @param tlsVerify    HTTPS: whether the server's certificate must lead to the JDK's trust store and name the host;
 *                     off by default, as a check asks whether the server answers
 */
public record HealthCheckSettings(Kind kind, int port, String path, String host, int expectStatus, String expectBody,
                                  Duration interval, Duration timeout, int rise, int fall, boolean tlsVerify) {

    /** No check: every server with a resolved MAC gets connections (the behaviour without the key). */
    public static final HealthCheckSettings NONE = new HealthCheckSettings(Kind.NONE, 0, ConfigDefaults.HEALTH_CHECK_PATH,
            null, ConfigDefaults.HEALTH_CHECK_EXPECT_STATUS, null, ConfigDefaults.HEALTH_CHECK_INTERVAL,
            ConfigDefaults.HEALTH_CHECK_TIMEOUT, ConfigDefaults.HEALTH_CHECK_RISE, ConfigDefaults.HEALTH_CHECK_FALL);

    public HealthCheckSettings {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
        if (timeout.compareTo(interval) >= 0) {
            throw new IllegalArgumentException("timeout " + timeout + " is not below interval " + interval);
        }
    }

    /** A check that verifies no certificate (every kind but {@code https} has none to verify). */
    public HealthCheckSettings(Kind kind, int port, String path, String host, int expectStatus, String expectBody,
                               Duration interval, Duration timeout, int rise, int fall) {
        this(kind, port, path, host, expectStatus, expectBody, interval, timeout, rise, fall,
                ConfigDefaults.HEALTH_CHECK_TLS_VERIFY);
    }

    /** Whether servers are checked at all. */
    public boolean enabled() {
        return kind != Kind.NONE;
    }

    /** The port checked on a server of {@code service}. */
    public int portFor(ServiceConfig service) {
        return port != 0 ? port : service.ports().getFirst().first();
    }

    /** A check's kind. Written in the file as {@link #configName()}. */
    public enum Kind {
        /** No check. */
        NONE("none"),
        /** A TCP connection to the port is accepted. */
        TCP("tcp"),
        /** An HTTP/1.0 GET answers with the expected status (and body text). */
        HTTP("http"),
        /** The same GET over TLS 1.3 or 1.2. */
        HTTPS("https");

        private final String configName;

        Kind(String configName) {
            this.configName = configName;
        }

        /** The word used for this kind in the configuration file. */
        public String configName() {
            return configName;
        }

        /** Whether the check is an HTTP GET (in plain HTTP or over TLS): path, host and expectations apply. */
        public boolean http() {
            return this == HTTP || this == HTTPS;
        }
    }
}
