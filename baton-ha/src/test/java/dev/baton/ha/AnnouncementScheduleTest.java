package dev.baton.ha;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AnnouncementScheduleTest {

    private static List<Long> dueBetween(AnnouncementSchedule schedule, long fromMs, long toMs, boolean answering) {
        List<Long> due = new ArrayList<>();
        for (long t = fromMs; t <= toMs; t++) {
            if (schedule.due(t, answering)) {
                due.add(t);
            }
        }
        return due;
    }

    @Test
    void countAnnouncementsIntervalApartThenEveryReannounce() {
        AnnouncementSchedule schedule = new AnnouncementSchedule(3, 20, 1_000);
        assertEquals(List.of(), dueBetween(schedule, 0, 100, true), "nothing before the router is active");
        schedule.start(1_000);
        assertEquals(List.of(1_000L, 1_020L, 1_040L, 2_040L, 3_040L), dueBetween(schedule, 1_000, 3_500, true));
        assertEquals(5, schedule.sent());
    }

    @Test
    void noReannouncementWithoutItsIntervalOrWhileNotAnsweringArp() {
        AnnouncementSchedule once = new AnnouncementSchedule(2, 20, 0);
        once.start(0);
        assertEquals(List.of(0L, 20L), dueBetween(once, 0, 10_000, true), "reannounce 0: never again");

        AnnouncementSchedule standby = new AnnouncementSchedule(1, 20, 100);
        standby.start(0);
        assertEquals(List.of(0L), dueBetween(standby, 0, 1_000, false), "a router not answering ARP re-announces nothing");
    }

    @Test
    void stoppingCancelsWhatIsLeft() {
        AnnouncementSchedule schedule = new AnnouncementSchedule(3, 20, 1_000);
        schedule.start(0);
        assertEquals(List.of(0L), dueBetween(schedule, 0, 10, true));
        schedule.stop(); // yielded the VIP: an announcement after the winner's would pull the traffic back
        assertEquals(List.of(), dueBetween(schedule, 11, 5_000, true));
    }
}
