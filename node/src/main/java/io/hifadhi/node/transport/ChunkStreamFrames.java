package io.hifadhi.node.transport;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.regex.Pattern;

/**
 * The chunk data plane's wire format, shared by {@link ChunkStreamServer} and {@link ChunkStreamClient}.
 *
 * <p>Request: magic, sender id, wall-clock millis, 16-byte nonce, chunk id, chunk length, then an HMAC-SHA256 of all
 * of that with a key derived from the cluster secret. Answer header: status, and for a chunk served its length, the
 * block size and the CRC32C of every block, then an HMAC over the request's nonce and all of the header; the chunk's
 * bytes follow the header as they are, so the holder can send them straight from its file. The receiver checks every
 * block against the CRCs, which the MAC binds to this request: bytes damaged on the holder's disk or on the way are
 * caught. CRC32C is no MAC: someone able to rewrite the TCP stream between two nodes could forge bytes with the same
 * CRCs (node/README.md, "Chunk data port", says so); a copy that is stored is still checked by its SHA-256.
 *
 * <p>Requests carry no replay protection beyond the time window: a replayed request fetches bytes of a chunk the
 * replayer has already seen on the wire, and its answer cannot pass for another request's (the nonce is in its MAC).
 */
final class ChunkStreamFrames {
    static final int MAGIC = 0x48435331; // "HCS1"
    static final byte OK = 0;
    static final byte NOT_HELD = 1;
    static final byte UNAVAILABLE = 2;
    static final int NONCE_BYTES = 16;
    static final int MAC_BYTES = 32;
    static final long WINDOW_MILLIS = 30_000;
    /** Far above any chunk size the node accepts (64 MiB), to bound what a request may ask for. */
    static final int MAX_LENGTH = 256 << 20;
    static final int MIN_BLOCK = 4 << 10;
    private static final int MAX_SENDER_BYTES = 256;
    private static final Pattern CHUNK_ID = Pattern.compile("[0-9a-f]{64}");

    /** A request that fails its checks: the server drops the connection without an answer. */
    static final class Refused extends IOException {
        Refused(String why) {
            super(why);
        }
    }

    record Request(String sender, long millis, byte[] nonce, String chunkId, int length) {
    }

    /** An answer's header: {@code blockCrcs} is empty unless {@code status} is {@link #OK}. */
    record Header(byte status, int length, int blockSize, int[] blockCrcs) {
    }

    private final ThreadLocal<Mac> macs;

    ChunkStreamFrames(byte[] clusterSecret) {
        byte[] key = Transport.hmac(new SecretKeySpec(clusterSecret, "HmacSHA256"),
                "hifadhi/chunk-stream/v1".getBytes(StandardCharsets.UTF_8));
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    byte[] encode(Request r) throws IOException {
        byte[] body = requestBody(r);
        return concat(body, mac(body));
    }

    /** Reads one request and checks it; {@code null} when the peer closed the connection between requests. */
    Request readRequest(DataInputStream in, long nowMillis) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (java.io.EOFException e) {
            return null;
        }
        if (magic != MAGIC) {
            throw new Refused("not a chunk stream request");
        }
        String sender = readBounded(in);
        long millis = in.readLong();
        byte[] nonce = in.readNBytes(NONCE_BYTES);
        String chunkId = readBounded(in);
        int length = in.readInt();
        byte[] mac = in.readNBytes(MAC_BYTES);
        if (nonce.length != NONCE_BYTES || mac.length != MAC_BYTES) {
            throw new java.io.EOFException("request cut short");
        }
        Request r = new Request(sender, millis, nonce, chunkId, length);
        if (!MessageDigest.isEqual(mac, mac(requestBody(r)))) {
            throw new Refused("bad MAC (another cluster's secret?)");
        }
        if (Math.abs(nowMillis - millis) > WINDOW_MILLIS) {
            throw new Refused("request from " + sender + " is " + (nowMillis - millis) + " ms old: clocks apart, or a replay");
        }
        if (!CHUNK_ID.matcher(chunkId).matches() || length < 0 || length > MAX_LENGTH) {
            throw new Refused("malformed chunk request from " + sender);
        }
        return r;
    }

    byte[] encode(Request to, Header h, String chunkId) throws IOException {
        byte[] body = headerBody(to.nonce(), h, chunkId);
        byte[] mac = mac(body);
        // What goes on the wire omits the nonce and the chunk id: the receiver knows both.
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 4 * h.blockCrcs().length + MAC_BYTES);
        DataOutputStream d = new DataOutputStream(out);
        writeHeaderFields(d, h);
        d.write(mac);
        return out.toByteArray();
    }

    /** Reads exactly {@code n} bytes, so that nothing after a header is taken from the stream with it. */
    @FunctionalInterface
    interface ExactReader {
        byte[] read(int n) throws IOException;
    }

    /** Reads and checks the header answering {@code r}, in a few exact reads (the chunk's bytes follow it as they are). */
    Header readHeader(ExactReader in, Request r) throws IOException {
        byte status = in.read(1)[0];
        int length = 0;
        int blockSize = 0;
        int[] crcs = new int[0];
        if (status == OK) {
            ByteBuffer fields = ByteBuffer.wrap(in.read(12));
            length = fields.getInt();
            blockSize = fields.getInt();
            int blocks = fields.getInt();
            if (length != r.length() || blockSize < MIN_BLOCK || blocks != blocks(length, blockSize)) {
                throw new IOException("answer for chunk " + r.chunkId() + " does not fit its request (length " + length
                        + ", block size " + blockSize + ", " + blocks + " blocks)");
            }
            crcs = new int[blocks];
            ByteBuffer.wrap(in.read(4 * blocks)).asIntBuffer().get(crcs);
        } else if (status != NOT_HELD && status != UNAVAILABLE) {
            throw new IOException("unknown answer status " + status + " for chunk " + r.chunkId());
        }
        byte[] mac = in.read(MAC_BYTES);
        Header h = new Header(status, length, blockSize, crcs);
        if (!MessageDigest.isEqual(mac, mac(headerBody(r.nonce(), h, r.chunkId())))) {
            throw new IOException("answer for chunk " + r.chunkId() + " failed its MAC check");
        }
        return h;
    }

    static int blocks(long length, int blockSize) {
        return (int) ((length + blockSize - 1) / blockSize);
    }

    private static byte[] requestBody(Request r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(MAGIC);
        d.writeUTF(r.sender());
        d.writeLong(r.millis());
        d.write(r.nonce());
        d.writeUTF(r.chunkId());
        d.writeInt(r.length());
        return out.toByteArray();
    }

    private static byte[] headerBody(byte[] nonce, Header h, String chunkId) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 4 * h.blockCrcs().length);
        DataOutputStream d = new DataOutputStream(out);
        d.write(nonce);
        d.writeUTF(chunkId);
        writeHeaderFields(d, h);
        return out.toByteArray();
    }

    private static void writeHeaderFields(DataOutputStream d, Header h) throws IOException {
        d.writeByte(h.status());
        if (h.status() == OK) {
            d.writeInt(h.length());
            d.writeInt(h.blockSize());
            d.writeInt(h.blockCrcs().length);
            for (int c : h.blockCrcs()) {
                d.writeInt(c);
            }
        }
    }

    private static String readBounded(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        if (n > MAX_SENDER_BYTES) {
            throw new Refused("field of " + n + " bytes");
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new java.io.EOFException("request cut short");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private byte[] mac(byte[] body) {
        return macs.get().doFinal(body);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
