package io.atomix.cluster.messaging.impl;

import io.atomix.utils.net.Address;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hifadhi's decoder reads what Atomix's encoder writes, in any segmentation, and never asks DNS who sent it. */
class MessageDecoderV1Test {

    /** What Atomix's own encoder puts on the wire for these messages, sent from {@code from}. */
    private static ByteBuf encoded(Address from, Object... messages) {
        EmbeddedChannel out = new EmbeddedChannel(new MessageEncoderV1(from));
        ByteBuf all = Unpooled.buffer();
        for (Object m : messages) {
            out.writeOutbound(m);
            ByteBuf b = out.readOutbound();
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    @Test
    void requestsAndRepliesRoundTripAndTheSenderIsNamedByItsIpLiteral() {
        byte[] big = new byte[70_000];
        big[69_999] = 7;
        ByteBuf wire = encoded(Address.from("127.0.0.1", 7112),
                new ProtocolRequest(1, Address.from("127.0.0.1", 7112), "hifadhi-membership-ping", "hi".getBytes(StandardCharsets.UTF_8)),
                new ProtocolReply(300_000_000_000L, big, ProtocolReply.Status.OK),
                new ProtocolRequest(2, Address.from("127.0.0.1", 7112), "ü-subject", new byte[0]));
        EmbeddedChannel in = new EmbeddedChannel(new MessageDecoderV1());
        in.writeInbound(wire);

        ProtocolRequest first = in.readInbound();
        // Atomix's decoder answered "localhost" here, found by a reverse lookup on the event loop.
        assertEquals("127.0.0.1", first.sender().host());
        assertEquals(7112, first.sender().port());
        assertEquals("hifadhi-membership-ping", first.subject());
        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), first.payload());
        ProtocolReply second = in.readInbound();
        assertEquals(300_000_000_000L, second.id());
        assertEquals(ProtocolReply.Status.OK, second.status());
        assertArrayEquals(big, second.payload());
        ProtocolRequest third = in.readInbound();
        assertEquals("ü-subject", third.subject());
        assertEquals(0, third.payload().length);
        assertNull(in.readInbound());
    }

    @Test
    void framesSplitAtEveryByteBoundaryDecodeTheSame() {
        ByteBuf wire = encoded(Address.from("10.231.7.12", 40000),
                new ProtocolRequest(129, Address.from("10.231.7.12", 40000), "t", new byte[] {1, 2, 3}),
                new ProtocolReply(16_384, new byte[300], ProtocolReply.Status.ERROR_NO_HANDLER));
        EmbeddedChannel in = new EmbeddedChannel(new MessageDecoderV1());
        List<Object> decoded = new ArrayList<>();
        while (wire.isReadable()) {
            in.writeInbound(wire.readRetainedSlice(1));
            for (Object m; (m = in.readInbound()) != null; ) {
                decoded.add(m);
            }
        }
        assertEquals(2, decoded.size());
        ProtocolRequest request = assertInstanceOf(ProtocolRequest.class, decoded.get(0));
        assertEquals("10.231.7.12", request.sender().host());
        assertEquals(129, request.id());
        assertArrayEquals(new byte[] {1, 2, 3}, request.payload());
        ProtocolReply reply = assertInstanceOf(ProtocolReply.class, decoded.get(1));
        assertEquals(16_384, reply.id());
        assertEquals(ProtocolReply.Status.ERROR_NO_HANDLER, reply.status());
    }

    @Test
    void aGarbledSenderHeaderClosesTheConnectionInsteadOfAllocatingOrWaiting() {
        EmbeddedChannel in = new EmbeddedChannel(new MessageDecoderV1());
        assertThrows(DecoderException.class, () -> in.writeInbound(Unpooled.wrappedBuffer(new byte[] {9, 1, 2, 3})));
    }
}
