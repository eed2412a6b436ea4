package io.atomix.cluster.messaging.impl;

import io.atomix.utils.net.Address;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Hifadhi's decoder for Atomix 3.1.12's messaging protocol V1; it replaces the class of the same name in
 * atomix-cluster (the fat jar leaves Atomix's copy out; see membership/README.md, "Reverse DNS on the event loop").
 *
 * <p>Why: Atomix's decoder names the sender of every new connection with {@code InetAddress.getHostName()}, a
 * reverse DNS lookup, on the Netty event loop. Where the resolver is slow to say "no such name" (5 s timeouts
 * were measured here for the host's own LAN address), each new connection froze one event loop and every channel
 * on it: pings stalled, peers were suspected every few seconds at four nodes, and at six nodes messages arrived
 * more than 30 s late until the cluster fell apart. The sender is named by its IP literal instead, so the
 * address a message claims is exactly the advertised address the view lists.
 *
 * <p>Wire format (unchanged, so nodes with either decoder interoperate): once per connection the sender's
 * address (one length byte, the IP octets, a 4-byte port); then frames of a type byte, a varint message id, a
 * varint payload length, the payload, and for a request a 2-byte subject length and the UTF-8 subject, for a
 * reply a status byte. A frame is decoded only once it is complete; until then the bytes wait in the cumulation
 * buffer.
 */
public class MessageDecoderV1 extends ByteToMessageDecoder {
    /** Larger than any message Hifadhi sends (the transport bounds its envelopes far lower). */
    static final int MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
    private static final byte[] EMPTY = new byte[0];
    /** What {@link #readVarLong} answers when the buffer ends inside the varint (no id or length is this). */
    static final long INCOMPLETE = Long.MIN_VALUE;

    private Address sender;

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) throws Exception {
        int start = in.readerIndex();
        if (sender == null && !readSender(in)) {
            in.readerIndex(start);
            return;
        }
        int frameStart = in.readerIndex();
        Object message = readFrame(in);
        if (message == null) {
            in.readerIndex(frameStart);
        } else {
            out.add(message);
        }
    }

    /** The address of the peer that opened this connection, as it advertised it (null before its header). */
    Address sender() {
        return sender;
    }

    private boolean readSender(ByteBuf in) throws UnknownHostException {
        if (!in.isReadable()) {
            return false;
        }
        int length = in.readUnsignedByte();
        if (length != 4 && length != 16) {
            throw new CorruptedFrameException("sender address of " + length + " bytes");
        }
        if (in.readableBytes() < length + 4) {
            return false;
        }
        byte[] octets = new byte[length];
        in.readBytes(octets);
        int port = in.readInt();
        InetAddress ip = InetAddress.getByAddress(octets);
        sender = new Address(ip.getHostAddress(), port, ip);
        return true;
    }

    /** One whole frame, or null (nothing consumed that matters: the caller rewinds) when bytes are missing. */
    private ProtocolMessage readFrame(ByteBuf in) {
        if (!in.isReadable()) {
            return null;
        }
        ProtocolMessage.Type type = ProtocolMessage.Type.forId(in.readByte());
        long id = readVarLong(in);
        if (id == INCOMPLETE) {
            return null;
        }
        long length = readVarLong(in);
        if (length == INCOMPLETE) {
            return null;
        }
        if (length < 0 || length > MAX_PAYLOAD_BYTES) {
            throw new CorruptedFrameException("payload of " + length + " bytes");
        }
        if (in.readableBytes() < length) {
            return null;
        }
        byte[] payload = length == 0 ? EMPTY : new byte[(int) length];
        in.readBytes(payload);
        switch (type) {
            case REQUEST -> {
                if (in.readableBytes() < 2) {
                    return null;
                }
                int subjectLength = in.readUnsignedShort();
                if (in.readableBytes() < subjectLength) {
                    return null;
                }
                String subject = in.readCharSequence(subjectLength, StandardCharsets.UTF_8).toString();
                return new ProtocolRequest(id, sender, subject, payload);
            }
            case REPLY -> {
                if (!in.isReadable()) {
                    return null;
                }
                return new ProtocolReply(id, payload, ProtocolReply.Status.forId(in.readByte()));
            }
            default -> throw new CorruptedFrameException("message type " + type);
        }
    }

    /**
     * A little-endian base-128 varint (7 bits a byte, high bit = more follows), as Atomix's encoder writes ids and
     * lengths; {@link #INCOMPLETE} when the buffer ends inside it.
     */
    static long readVarLong(ByteBuf in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!in.isReadable()) {
                return INCOMPLETE;
            }
            byte b = in.readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new CorruptedFrameException("varint longer than 10 bytes");
    }
}
