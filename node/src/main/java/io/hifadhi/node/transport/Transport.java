package io.hifadhi.node.transport;

import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.utils.net.Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Typed, authenticated request/response between nodes over Atomix messaging on the cluster port.
 *
 * <p>Envelope: format version, kind (request/response), sender id, timestamp, 16-byte nonce, the
 * Kryo-encoded message, then HMAC-SHA256 over the message type and all of the above, with a key
 * derived from the cluster secret. A response's MAC also covers the request's nonce, so it cannot
 * be replayed as the answer to another request. Requests older or newer than the replay window, or
 * whose nonce was already seen within it, or whose MAC is wrong, or that exceed the size bound,
 * get no answer at all: a process without the secret can neither read nor write through the port.
 *
 * <p>Every request carries a timeout; one that timed out is retried once on a fresh connection,
 * because a pooled Atomix connection can be stuck forever (membership/README.md).
 * Requests to this node itself skip the network and go straight to the handler.
 */
public final class Transport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    public static final byte FORMAT_VERSION = 1;
    public static final String TYPE_PREFIX = "hifadhi-data-";
    private static final byte REQUEST = 0;
    private static final byte RESPONSE = 1;
    private static final int NONCE_BYTES = 16;
    private static final int MAC_BYTES = 32;
    static final long REPLAY_WINDOW_MILLIS = 30_000;
    private static final int MAX_REMEMBERED_NONCES = 1_000_000;

    /** A request handler; what it throws goes back to the caller as a {@link RemoteException}. */
    @FunctionalInterface
    public interface Handler<Q> {
        Object handle(Q request) throws Exception;
    }

    private record Registered<Q>(Class<Q> requestType, Handler<Q> handler) {
    }

    private record Inbound(String sender, byte[] nonce, Object message) {
    }

    private final MessagingService messaging;
    private final String localId;
    private final WireCodec codec;
    private final SecretKeySpec key;
    private final int maxMessageBytes;
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Mac> macs;
    private final Map<String, Registered<?>> handlers = new ConcurrentHashMap<>();
    private final Map<ByteBuffer, Long> seenNonces = new ConcurrentHashMap<>();
    private final AtomicInteger sinceLastPrune = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();
    private final Function<String, Optional<String>> idAtAddress;
    private final ExecutorService workers;
    private final ExecutorService replies;
    /** Envelope bytes this node encoded (requests and replies), by message type: what each protocol costs. */
    private final Map<String, java.util.concurrent.atomic.LongAdder> sentBytes = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param idAtAddress which member id the view lists at a cluster address ({@code host:port}),
     *                    to catch a sender claiming another member's id
     * @param maxMessageBytes bound on any envelope sent or accepted
     */
    public Transport(MessagingService messaging, String localId, byte[] clusterSecret, WireCodec codec,
                     int maxMessageBytes, Function<String, Optional<String>> idAtAddress, LongSupplier clock) {
        this.messaging = messaging;
        this.localId = localId;
        this.codec = codec;
        this.maxMessageBytes = maxMessageBytes;
        this.idAtAddress = idAtAddress;
        this.clock = clock;
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(clusterSecret, "HmacSHA256"),
                "hifadhi/transport/v1".getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        this.workers = pool("hifadhi-transport-worker", 16, 256);
        this.replies = pool("hifadhi-transport-reply", 4, 4096);
    }

    private static ExecutorService pool(String name, int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public String localId() {
        return localId;
    }

    /** Envelope bytes sent so far (requests and replies) in messages whose type starts with {@code typePrefix}. */
    public long bytesSent(String typePrefix) {
        long total = 0;
        for (Map.Entry<String, java.util.concurrent.atomic.LongAdder> e : sentBytes.entrySet()) {
            if (e.getKey().startsWith(typePrefix)) {
                total += e.getValue().sum();
            }
        }
        return total;
    }

    /** Requests that failed verification since start (for logs and tests). */
    public long rejectedRequests() {
        return rejected.get();
    }

    /** Executor for continuations of replies (never the Netty event loop). */
    public ExecutorService callbacks() {
        return replies;
    }

    public <Q> void handle(String type, Class<Q> requestType, Handler<Q> handler) {
        if (!type.startsWith(TYPE_PREFIX)) {
            throw new IllegalArgumentException("message types start with " + TYPE_PREFIX);
        }
        handlers.put(type, new Registered<>(requestType, handler));
        messaging.registerHandler(type,
                (java.util.function.BiFunction<Address, byte[], CompletableFuture<byte[]>>) (sender, bytes) -> receive(type, sender, bytes));
    }

    /** Sends {@code message} and completes with the reply, or exceptionally (timeout, remote failure, bad reply). */
    public <R> CompletableFuture<R> request(Peer peer, String type, Object message, Class<R> replyType, Duration timeout) {
        if (peer.id().equals(localId)) {
            return local(type, message, replyType);
        }
        Address address = Address.from(peer.clusterAddress());
        CompletableFuture<R> result = new CompletableFuture<>();
        attempt(address, type, message, timeout, true)
                .exceptionallyCompose(e -> isTimeout(e) && !result.isDone()
                        ? attempt(address, type, message, timeout, false)
                        : CompletableFuture.failedFuture(unwrap(e)))
                .thenApply(reply -> cast(reply, replyType, peer))
                .whenComplete((r, e) -> {
                    if (e == null) {
                        result.complete(r);
                    } else {
                        result.completeExceptionally(unwrap(e));
                    }
                });
        return result;
    }

    @SuppressWarnings("unchecked")
    private <R> CompletableFuture<R> local(String type, Object message, Class<R> replyType) {
        Registered<Object> r = (Registered<Object>) handlers.get(type);
        if (r == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no handler for " + type));
        }
        return onWorkers(type, () -> replyType.cast(r.handler().handle(message)));
    }

    /** Runs {@code work} for this node itself on the handlers' workers, as a {@code type} request to itself would be. */
    public <R> CompletableFuture<R> onWorkers(String type, java.util.concurrent.Callable<R> work) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return work.call();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, workers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RemoteException("this node is too busy (" + type + ")"));
        }
    }

    private CompletableFuture<Object> attempt(Address address, String type, Object message, Duration timeout, boolean keepAlive) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] bytes;
        try {
            bytes = encode(type, REQUEST, nonce, null, message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return messaging.sendAndReceive(address, type, bytes, keepAlive, timeout, replies)
                .orTimeout(timeout.toMillis() + 250, TimeUnit.MILLISECONDS)
                .thenApply(reply -> decode(type, reply, RESPONSE, nonce).message());
    }

    private <R> R cast(Object reply, Class<R> replyType, Peer peer) {
        if (reply instanceof WireCodec.RemoteFailure f) {
            throw new CompletionException(new RemoteException(peer.id() + ": " + f.message()));
        }
        if (!replyType.isInstance(reply)) {
            throw new CompletionException(new RemoteException(peer.id() + " answered with an unexpected "
                    + (reply == null ? "null" : reply.getClass().getSimpleName())));
        }
        return replyType.cast(reply);
    }

    private CompletableFuture<byte[]> receive(String type, Address sender, byte[] bytes) {
        Inbound in;
        try {
            in = decode(type, bytes, REQUEST, null);
            Optional<String> listed = idAtAddress.apply(sender.host() + ":" + sender.port());
            if (listed.isPresent() && !listed.get().equals(in.sender())) {
                throw new SecurityException("sender claims id " + in.sender() + " but " + sender + " is " + listed.get());
            }
        } catch (RuntimeException e) {
            long n = rejected.incrementAndGet();
            if (n <= 20 || n % 1000 == 0) {
                LOG.warn("dropped a {} request from {} that failed verification ({} so far): {}", type, sender, n, e.getMessage());
            }
            return new CompletableFuture<>(); // no answer at all
        }
        @SuppressWarnings("unchecked")
        Registered<Object> r = (Registered<Object>) handlers.get(type);
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (r == null || !r.requestType().isInstance(in.message())) {
            reply.complete(encode(type, RESPONSE, freshNonce(), in.nonce(),
                    new WireCodec.RemoteFailure("unexpected message for " + type)));
            return reply;
        }
        try {
            workers.execute(() -> {
                Object answer;
                try {
                    answer = r.handler().handle(in.message());
                } catch (Exception e) {
                    LOG.debug("{} from {} failed: {}", type, in.sender(), e.toString());
                    answer = new WireCodec.RemoteFailure(String.valueOf(e.getMessage()));
                }
                try {
                    reply.complete(encode(type, RESPONSE, freshNonce(), in.nonce(), answer));
                } catch (RuntimeException e) {
                    reply.complete(encode(type, RESPONSE, freshNonce(), in.nonce(),
                            new WireCodec.RemoteFailure("reply could not be encoded: " + e.getMessage())));
                }
            });
        } catch (RejectedExecutionException e) {
            reply.complete(encode(type, RESPONSE, freshNonce(), in.nonce(), new WireCodec.RemoteFailure("node busy")));
        }
        return reply;
    }

    private byte[] freshNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    byte[] encode(String type, byte kind, byte[] nonce, byte[] requestNonce, Object message) {
        int hint = message instanceof SizedMessage s ? s.sizeHint() + 256 : 512;
        Output out = new Output(Math.min(hint, maxMessageBytes), maxMessageBytes);
        out.writeByte(FORMAT_VERSION);
        out.writeByte(kind);
        out.writeString(localId);
        out.writeLong(clock.getAsLong());
        out.writeBytes(nonce);
        try {
            codec.write(out, message);
        } catch (com.esotericsoftware.kryo.kryo5.io.KryoBufferOverflowException e) {
            throw new IllegalArgumentException("a " + message.getClass().getSimpleName() + " exceeds the message bound of "
                    + maxMessageBytes + " bytes");
        }
        int length = out.position();
        if (length + MAC_BYTES > maxMessageBytes) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds the bound of " + maxMessageBytes);
        }
        out.writeBytes(mac(type, requestNonce, out.getBuffer(), length));
        sentBytes.computeIfAbsent(type, t -> new java.util.concurrent.atomic.LongAdder()).add(length + MAC_BYTES);
        return out.toBytes();
    }

    Inbound decode(String type, byte[] bytes, byte kind, byte[] requestNonce) {
        if (bytes == null || bytes.length > maxMessageBytes || bytes.length < 2 + MAC_BYTES) {
            throw new SecurityException("envelope size " + (bytes == null ? -1 : bytes.length) + " out of bounds");
        }
        int body = bytes.length - MAC_BYTES;
        byte[] expected = mac(type, requestNonce, bytes, body);
        if (!MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(bytes, body, bytes.length))) {
            throw new SecurityException("bad MAC (not signed with this cluster's secret, or altered)");
        }
        Input in = new Input(bytes, 0, body);
        byte version = in.readByte();
        if (version != FORMAT_VERSION) {
            throw new SecurityException("wire format " + version + ", this node speaks " + FORMAT_VERSION);
        }
        if (in.readByte() != kind) {
            throw new SecurityException("wrong envelope kind");
        }
        String sender = in.readString();
        long sentAt = in.readLong();
        byte[] nonce = in.readBytes(NONCE_BYTES);
        if (kind == REQUEST) {
            long now = clock.getAsLong();
            if (Math.abs(now - sentAt) > REPLAY_WINDOW_MILLIS) {
                throw new SecurityException("timestamp outside the replay window (clock skew or replay)");
            }
            remember(nonce, now);
        }
        return new Inbound(sender, nonce, codec.read(in));
    }

    private void remember(byte[] nonce, long now) {
        if (sinceLastPrune.incrementAndGet() >= 4096 || seenNonces.size() >= MAX_REMEMBERED_NONCES) {
            sinceLastPrune.set(0);
            seenNonces.values().removeIf(t -> t < now - 2 * REPLAY_WINDOW_MILLIS);
            if (seenNonces.size() >= MAX_REMEMBERED_NONCES) {
                throw new SecurityException("replay cache full");
            }
        }
        if (seenNonces.putIfAbsent(ByteBuffer.wrap(nonce), now) != null) {
            throw new SecurityException("replayed nonce");
        }
    }

    private byte[] mac(String type, byte[] requestNonce, byte[] data, int length) {
        Mac mac = macs.get();
        mac.update(type.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        if (requestNonce != null) {
            mac.update(requestNonce);
        }
        mac.update(data, 0, length);
        return mac.doFinal();
    }

    static byte[] hmac(SecretKeySpec k, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(k);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code e}, wrapped or not, is a request that got no answer in time. */
    public static boolean isTimeout(Throwable e) {
        return unwrap(e) instanceof TimeoutException;
    }

    public static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void close() {
        for (String type : handlers.keySet()) {
            try {
                messaging.unregisterHandler(type);
            } catch (RuntimeException e) {
                LOG.debug("unregister {}: {}", type, e.toString());
            }
        }
        handlers.clear();
        workers.shutdownNow();
        replies.shutdownNow();
    }
}
