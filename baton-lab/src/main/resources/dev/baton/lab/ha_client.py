#!/usr/bin/env python3
"""Long-lived TCP echo clients for the Baton lab's failover tests (started by EchoClients).

Opens --connections TCP connections to ADDRESS:PORT (an echo port of the lab's echo server) and, on each,
sends a short message every --interval-ms: "<connection id>:<sequence number>\\n". Every byte echoed back
is compared with what was sent, in order. A connection stops after --messages messages if that is not 0,
else when --duration-s has passed. Outstanding echoes then get --drain-s to arrive, and the JSON result is
written to --result:

  per connection: messages ok, mismatches (echoed bytes that differ from those sent), errors (refused,
  reset, closed by the server, timed out), unanswered messages at the end, the longest round trip (a send
  to its echo), the longest gap between two successful echoes (or from the connection's start to its
  first), and the longest stall, the larger of the two, with the wall-clock time it began; every stall
  longer than three intervals (when it began, how long; at most 20 per connection);
  optionally --probe-interval-ms: a fresh connection every so often, each sending one message and
  verifying its echo, to show whether new connections succeed during and after a failover.

Prints "READY connected=<n> failed=<m>" once every connection has had its first echo (or failed).
Bounded: at most 500 connections, at most 60 s of messages, every wait has a deadline.
"""

import argparse
import collections
import errno
import json
import os
import selectors
import socket
import sys
import time

MAX_CONNECTIONS = 500
MAX_DURATION_S = 60.0
CONNECT_TIMEOUT_S = 10.0
PROBE_TIMEOUT_S = 5.0
# Sending stops while this much echo is outstanding: a few seconds of messages, far below a socket buffer.
MAX_OUTSTANDING_BYTES = 4096
RECEIVE_BYTES = 65536
# A stall longer than this many intervals is listed on its own (at most MAX_LONG_STALLS per connection).
LONG_STALL_INTERVALS = 3
MAX_LONG_STALLS = 20
OPENED_PER_TICK = 20


def now_ms(start):
    return (time.monotonic() - start) * 1000.0


class Connection:
    """One long-lived connection (or a probe, which sends a single message)."""

    def __init__(self, ident, message_limit):
        self.ident = ident
        self.message_limit = message_limit
        self.sock = None
        self.connected = False
        self.closed = False
        self.sequence = 0
        self.unsent = bytearray()            # sent by us, not yet accepted by the kernel
        self.expected = bytearray()          # accepted by the kernel, echo not yet received
        self.pending = collections.deque()   # (message length, send time ms), oldest first
        self.received_of_head = 0            # echoed bytes of the oldest pending message
        self.ok = 0
        self.mismatches = 0
        self.errors = 0
        self.error = ""
        self.first_mismatch = ""
        self.started_ms = None               # connect() issued
        self.established_ms = None
        self.last_echo_ms = None
        self.longest_rtt_ms = 0.0
        self.longest_gap_ms = 0.0
        self.longest_stall_ms = 0.0
        self.stall_began_ms = None           # relative to the run's start
        self.long_stalls = []                # (began ms, length ms) of stalls over LONG_STALL_INTERVALS intervals

    def want_write(self):
        return not self.connected or bool(self.unsent)

    def outstanding(self):
        return len(self.unsent) + len(self.expected)

    def done_sending(self):
        return self.message_limit and self.sequence >= self.message_limit

    def fail(self, text):
        if not self.closed:
            self.errors += 1
            self.error = text
        self.close()

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass


class Run:
    def __init__(self, args):
        self.args = args
        self.selector = selectors.DefaultSelector()
        self.start = time.monotonic()
        self.start_epoch_ms = time.time() * 1000.0
        self.connections = []
        self.probes = []
        self.max_tick_lateness_ms = 0.0
        self.max_setup_tick_lateness_ms = 0.0
        self.ready_ms = None
        self.long_stall_ms = LONG_STALL_INTERVALS * args.interval_ms

    # ------------------------------------------------------------------ sockets

    def open(self, conn):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.sock = sock
        conn.started_ms = now_ms(self.start)
        code = sock.connect_ex((self.args.address, self.args.port))
        if code not in (0, errno.EINPROGRESS):
            conn.fail("connect: " + errno.errorcode.get(code, str(code)))
            return
        self.selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, conn)

    def update_interest(self, conn):
        if conn.closed:
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.want_write() else 0)
        self.selector.modify(conn.sock, events, conn)

    def drop(self, conn, error=None):
        if not conn.closed:
            try:
                self.selector.unregister(conn.sock)
            except (KeyError, ValueError):
                pass
        if error is None:
            conn.close()
        else:
            conn.fail(error)

    def send_message(self, conn, t):
        conn.sequence += 1
        message = b"%03d:%08d\n" % (conn.ident % 1000, conn.sequence)
        conn.pending.append((len(message), t))
        conn.unsent += message
        self.flush(conn)

    def flush(self, conn):
        if not conn.unsent or not conn.connected or conn.closed:
            return
        try:
            sent = conn.sock.send(conn.unsent)
        except BlockingIOError:
            sent = 0
        except OSError as e:
            self.drop(conn, "send: " + (errno.errorcode.get(e.errno, str(e))))
            return
        conn.expected += conn.unsent[:sent]
        del conn.unsent[:sent]
        self.update_interest(conn)

    def on_writable(self, conn):
        if not conn.connected:
            code = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code != 0:
                self.drop(conn, "connect: " + errno.errorcode.get(code, str(code)))
                return
            conn.connected = True
            conn.established_ms = now_ms(self.start)
            conn.last_echo_ms = conn.established_ms
            if conn.message_limit == 1:       # a probe, or a one-echo connection: send at once
                self.send_message(conn, conn.established_ms)
            self.update_interest(conn)
            return
        self.flush(conn)

    def on_readable(self, conn, t):
        try:
            data = conn.sock.recv(RECEIVE_BYTES)
        except BlockingIOError:
            return
        except OSError as e:
            self.drop(conn, "receive: " + errno.errorcode.get(e.errno, str(e)))
            return
        if not data:
            self.drop(conn, "closed by the server with %d bytes unanswered" % conn.outstanding())
            return
        if len(data) > len(conn.expected) or conn.expected[:len(data)] != data:
            conn.mismatches += 1
            conn.first_mismatch = "expected %r, got %r" % (bytes(conn.expected[:len(data)]), data[:64])
            self.drop(conn, "echo mismatch")
            return
        del conn.expected[:len(data)]
        remaining = len(data)
        while remaining and conn.pending:
            length, sent_ms = conn.pending[0]
            take = min(remaining, length - conn.received_of_head)
            conn.received_of_head += take
            remaining -= take
            if conn.received_of_head == length:
                conn.pending.popleft()
                conn.received_of_head = 0
                conn.ok += 1
                rtt = t - sent_ms
                gap = t - conn.last_echo_ms
                conn.longest_rtt_ms = max(conn.longest_rtt_ms, rtt)
                conn.longest_gap_ms = max(conn.longest_gap_ms, gap)
                stall = max(rtt, gap)
                if stall > self.long_stall_ms and len(conn.long_stalls) < MAX_LONG_STALLS:
                    conn.long_stalls.append((t - stall, stall))
                if stall > conn.longest_stall_ms:
                    conn.longest_stall_ms = stall
                    conn.stall_began_ms = t - stall
                conn.last_echo_ms = t
        if conn.done_sending() and not conn.pending:
            self.drop(conn)              # finished: an orderly close

    def poll(self, timeout_s, t_fn):
        for key, events in self.selector.select(max(0.0, timeout_s)):
            conn = key.data
            if conn.closed:
                continue
            if events & selectors.EVENT_WRITE:
                self.on_writable(conn)
            if not conn.closed and events & selectors.EVENT_READ:
                self.on_readable(conn, t_fn())

    # ------------------------------------------------------------------ phases

    def run(self):
        a = self.args
        self.connections = [Connection(i, a.messages) for i in range(a.connections)]
        self.message_phase()
        self.drain_phase()
        for conn in self.connections + self.probes:
            if not conn.closed:
                self.drop(conn)
        return self.result()

    def message_phase(self):
        """Opens the connections a few per tick (a burst of SYNs would overflow the server's accept backlog),
        messages every interval on each established one, prints READY once each has had its first echo, and
        carries on for the duration from there."""
        a = self.args
        interval_s = a.interval_ms / 1000.0
        probe_interval_s = a.probe_interval_ms / 1000.0
        begin = time.monotonic()
        connect_deadline = begin + CONNECT_TIMEOUT_S
        end = None
        next_tick = begin
        next_probe = float("inf")
        opened = 0
        while True:
            monotonic = time.monotonic()
            if end is None:
                settled = opened == len(self.connections) and all(
                    conn.closed or conn.ok > 0 for conn in self.connections)
                if settled or monotonic >= connect_deadline:
                    self.mark_ready()
                    end = monotonic + a.duration_s
                    if probe_interval_s:
                        next_probe = monotonic + probe_interval_s
            elif monotonic >= end:
                break
            elif all(conn.closed for conn in self.connections) and not self.open_probes():
                break
            if monotonic >= next_tick:
                lateness_ms = (monotonic - next_tick) * 1000.0
                if end is not None:
                    self.max_tick_lateness_ms = max(self.max_tick_lateness_ms, lateness_ms)
                else:
                    self.max_setup_tick_lateness_ms = max(self.max_setup_tick_lateness_ms, lateness_ms)
                # A late loop skips ticks rather than bursting: never more than one message per interval.
                while next_tick <= monotonic:
                    next_tick += interval_s
                t = now_ms(self.start)
                for conn in self.connections[opened:opened + OPENED_PER_TICK]:
                    self.open(conn)
                opened = min(len(self.connections), opened + OPENED_PER_TICK)
                for conn in self.connections[:opened]:
                    if (conn.connected and not conn.closed and conn.message_limit != 1 and not conn.done_sending()
                            and conn.outstanding() < MAX_OUTSTANDING_BYTES):
                        self.send_message(conn, t)
            if monotonic >= next_probe:
                next_probe += probe_interval_s
                probe = Connection(len(self.probes), 1)
                self.probes.append(probe)
                self.open(probe)
            self.expire_probes()
            wake = min(next_tick, next_probe, end if end is not None else connect_deadline)
            self.poll(wake - time.monotonic(), lambda: now_ms(self.start))

    def mark_ready(self):
        """Fails the connections that did not get going in time, and starts measuring stalls from here: the
        set-up (SYNs queued at the server, the first accept) is not part of what the tests look at."""
        for conn in self.connections:
            if conn.closed:
                continue
            if not conn.connected:
                self.drop(conn, "connect: no answer within %.0f s" % CONNECT_TIMEOUT_S)
            elif conn.ok == 0 and conn.message_limit != 1:
                self.drop(conn, "first echo: none within %.0f s" % CONNECT_TIMEOUT_S)
            elif conn.message_limit != 1:
                conn.longest_rtt_ms = conn.longest_gap_ms = conn.longest_stall_ms = 0.0
                conn.stall_began_ms = None
                conn.long_stalls = []
        self.ready_ms = now_ms(self.start)
        connected = sum(1 for conn in self.connections if conn.ok > 0 and not conn.errors)
        failed = sum(1 for conn in self.connections if conn.errors)
        print("READY connected=%d failed=%d" % (connected, failed), flush=True)

    def drain_phase(self):
        deadline = time.monotonic() + self.args.drain_s
        while time.monotonic() < deadline:
            busy = [c for c in self.connections + self.probes if not c.closed and (c.pending or not c.connected)]
            if not busy:
                break
            self.expire_probes()
            self.poll(min(0.05, deadline - time.monotonic()), lambda: now_ms(self.start))

    def open_probes(self):
        return any(not p.closed for p in self.probes)

    def expire_probes(self):
        t = now_ms(self.start)
        for probe in self.probes:
            if not probe.closed and t - probe.started_ms > PROBE_TIMEOUT_S * 1000.0:
                self.drop(probe, "no echo within %.0f s" % PROBE_TIMEOUT_S)

    # ------------------------------------------------------------------ result

    def epoch(self, ms):
        return None if ms is None else round(self.start_epoch_ms + ms, 1)

    def result(self):
        per_connection = []
        for conn in self.connections:
            per_connection.append({
                "id": conn.ident,
                "established": conn.established_ms is not None,
                "ok": conn.ok,
                "mismatches": conn.mismatches,
                "errors": conn.errors,
                "error": conn.error,
                "first_mismatch": conn.first_mismatch,
                "unanswered": len(conn.pending),
                "longest_rtt_ms": round(conn.longest_rtt_ms, 1),
                "longest_gap_ms": round(conn.longest_gap_ms, 1),
                "longest_stall_ms": round(conn.longest_stall_ms, 1),
                "stall_began_epoch_ms": self.epoch(conn.stall_began_ms),
                "long_stalls": [[self.epoch(began), round(length, 1)] for began, length in conn.long_stalls],
            })
        probes = []
        for probe in self.probes:
            probes.append({
                "started_epoch_ms": self.epoch(probe.started_ms),
                "ok": probe.ok == 1 and not probe.errors and not probe.mismatches,
                "latency_ms": round(probe.last_echo_ms - probe.started_ms, 1) if probe.ok else None,
                "error": probe.error,
            })
        return {
            "address": self.args.address,
            "port": self.args.port,
            "connections": self.args.connections,
            "interval_ms": self.args.interval_ms,
            "duration_s": self.args.duration_s,
            "messages_per_connection": self.args.messages,
            "start_epoch_ms": round(self.start_epoch_ms, 1),
            "ready_epoch_ms": self.epoch(self.ready_ms),
            "end_epoch_ms": round(time.time() * 1000.0, 1),
            "max_tick_lateness_ms": round(self.max_tick_lateness_ms, 1),
            "max_setup_tick_lateness_ms": round(self.max_setup_tick_lateness_ms, 1),
            "per_connection": per_connection,
            "probes": probes,
        }


def bounded(kind, low, high):
    def parse(text):
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError("%s is outside %s..%s" % (text, low, high))
        return value
    return parse


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=bounded(int, 1, 65535), required=True)
    parser.add_argument("--connections", type=bounded(int, 1, MAX_CONNECTIONS), default=200)
    parser.add_argument("--interval-ms", type=bounded(float, 1.0, 10000.0), default=20.0)
    parser.add_argument("--duration-s", type=bounded(float, 0.0, MAX_DURATION_S), default=10.0)
    parser.add_argument("--messages", type=bounded(int, 0, 1000000), default=0,
                        help="messages per connection, then an orderly close; 0: until the duration ends")
    parser.add_argument("--probe-interval-ms", type=bounded(float, 0.0, 60000.0), default=0.0,
                        help="open a one-message connection this often; 0: none")
    parser.add_argument("--drain-s", type=bounded(float, 0.0, 30.0), default=5.0)
    parser.add_argument("--result", required=True)
    args = parser.parse_args()
    result = Run(args).run()
    with open(args.result + ".tmp", "w") as out:
        json.dump(result, out)
    os.replace(args.result + ".tmp", args.result)
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
