package io.hifadhi.node.transport;

import io.atomix.cluster.messaging.MessagingConfig;
import io.atomix.cluster.messaging.impl.NettyMessagingService;
import io.atomix.utils.net.Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real Atomix messaging services on loopback. The "outsider" even shares the Atomix cluster
 * name (so it passes the connection preamble, a stronger position than a real outsider has) but
 * not the secret: it must get no answer and change nothing.
 */
class TransportTest {
    record Put(String key, byte[] value, String note) {
    }

    record Reply(String echoed, int length, boolean[] flags) {
    }

    private static final byte[] SECRET = "transport-test-secret".getBytes(StandardCharsets.UTF_8);
    private static final Duration SHORT = Duration.ofMillis(700);
    private static final int MAX = 256 * 1024;
    private static NettyMessagingService serverMessaging;
    private static NettyMessagingService clientMessaging;
    private static NettyMessagingService outsiderMessaging;
    private static Transport server;
    private static Transport client;
    private static Transport outsider;
    private static Transport clientWithSlowClock;
    private static final AtomicInteger handled = new AtomicInteger();

    @BeforeAll
    static void start() {
        serverMessaging = messaging();
        clientMessaging = messaging();
        outsiderMessaging = messaging();
        WireCodec codec = new WireCodec(List.of(Put.class, Reply.class));
        server = new Transport(serverMessaging, "server", SECRET, codec, MAX, a -> Optional.empty(), System::currentTimeMillis);
        client = new Transport(clientMessaging, "client", SECRET, codec, MAX, a -> Optional.empty(), System::currentTimeMillis);
        outsider = new Transport(outsiderMessaging, "client", "another-secret".getBytes(StandardCharsets.UTF_8), codec, MAX,
                a -> Optional.empty(), System::currentTimeMillis);
        clientWithSlowClock = new Transport(clientMessaging, "client", SECRET, codec, MAX, a -> Optional.empty(),
                () -> System.currentTimeMillis() - 2 * Transport.REPLAY_WINDOW_MILLIS);
        server.handle("hifadhi-data-test-put", Put.class, put -> {
            handled.incrementAndGet();
            if (put.key().equals("fail")) {
                throw new IllegalStateException("refusing key 'fail'");
            }
            return new Reply(put.key() + "/" + put.note(), put.value().length, new boolean[]{true, false});
        });
    }

    private static NettyMessagingService messaging() {
        int port;
        try {
            port = io.hifadhi.node.testing.TestPorts.next();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        NettyMessagingService m = new NettyMessagingService("transport-test", Address.from("127.0.0.1", port), new MessagingConfig());
        m.start().join();
        return m;
    }

    @AfterAll
    static void stop() {
        for (Transport t : new Transport[]{server, client, outsider}) {
            t.close();
        }
        for (NettyMessagingService m : new NettyMessagingService[]{serverMessaging, clientMessaging, outsiderMessaging}) {
            m.stop();
        }
    }

    private static Peer serverPeer() {
        return new Peer("server", "127.0.0.1:" + serverMessaging.address().port());
    }

    @Test
    void typedRequestAndReplyWithNullsAndArrays() throws Exception {
        Reply reply = client.request(serverPeer(), "hifadhi-data-test-put", new Put("k", new byte[1000], null), Reply.class,
                Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertEquals("k/null", reply.echoed());
        assertEquals(1000, reply.length());
        assertArrayEquals(new boolean[]{true, false}, reply.flags());
    }

    @Test
    void aHandlerFailureComesBackAsRemoteException() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> client.request(serverPeer(), "hifadhi-data-test-put",
                new Put("fail", new byte[0], "x"), Reply.class, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
        assertInstanceOf(RemoteException.class, Transport.unwrap(e));
        assertTrue(e.getCause().getMessage().contains("refusing key 'fail'"), e.getCause().getMessage());
    }

    @Test
    void aSenderWithoutTheSecretGetsNoAnswerAndChangesNothing() {
        int before = handled.get();
        long rejectedBefore = server.rejectedRequests();
        ExecutionException e = assertThrows(ExecutionException.class, () -> outsider.request(serverPeer(), "hifadhi-data-test-put",
                new Put("k", new byte[10], "x"), Reply.class, SHORT).get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, Transport.unwrap(e), "no answer at all, not even an error");
        assertEquals(before, handled.get(), "the handler never ran");
        assertEquals(rejectedBefore + 2, server.rejectedRequests(), "the request and its one retry were both dropped");
    }

    @Test
    void replayedTamperedStaleAndOversizedEnvelopesGetNoAnswer() throws Exception {
        Address to = serverMessaging.address();
        byte[] nonce = new byte[16];
        new java.security.SecureRandom().nextBytes(nonce);
        byte[] envelope = client.encode("hifadhi-data-test-put", (byte) 0, nonce, null, new Put("replay", new byte[3], "n"));
        int before = handled.get();
        byte[] first = clientMessaging.sendAndReceive(to, "hifadhi-data-test-put", envelope, true, Duration.ofSeconds(5))
                .get(10, TimeUnit.SECONDS);
        assertEquals(before + 1, handled.get());
        assertTrue(first.length > 0);
        // The same bytes again: a replay.
        assertNoAnswer(to, envelope);
        // One flipped bit in the payload.
        byte[] fresh = client.encode("hifadhi-data-test-put", (byte) 0, freshNonce(), null, new Put("tamper", new byte[3], "n"));
        fresh[fresh.length - 40] ^= 1;
        assertNoAnswer(to, fresh);
        // Signed correctly, but under another message type.
        byte[] otherType = client.encode("hifadhi-data-other", (byte) 0, freshNonce(), null, new Put("type", new byte[3], "n"));
        assertNoAnswer(to, otherType);
        // A minute old: outside the replay window.
        assertNoAnswer(to, clientWithSlowClock.encode("hifadhi-data-test-put", (byte) 0, freshNonce(), null, new Put("old", new byte[3], "n")));
        // Larger than the bound.
        assertNoAnswer(to, new byte[MAX + 1]);
        assertEquals(before + 1, handled.get(), "none of them reached the handler");
        // And the sender refuses to build an oversized message in the first place.
        CompletionException tooBig = assertThrows(CompletionException.class, () -> client.request(serverPeer(), "hifadhi-data-test-put",
                new Put("big", new byte[MAX], "n"), Reply.class, SHORT).join());
        assertInstanceOf(IllegalArgumentException.class, Transport.unwrap(tooBig));
    }

    @Test
    void requestsToThisNodeSkipTheNetwork() throws Exception {
        Reply reply = server.request(new Peer("server", "nowhere:1"), "hifadhi-data-test-put", new Put("self", new byte[5], "n"),
                Reply.class, SHORT).get(5, TimeUnit.SECONDS);
        assertEquals("self/n", reply.echoed());
        assertNull(null);
    }

    private static byte[] freshNonce() {
        byte[] nonce = new byte[16];
        new java.security.SecureRandom().nextBytes(nonce);
        return nonce;
    }

    private static void assertNoAnswer(Address to, byte[] bytes) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> clientMessaging.sendAndReceive(to,
                "hifadhi-data-test-put", bytes, false, SHORT).get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, Transport.unwrap(e));
    }
}
