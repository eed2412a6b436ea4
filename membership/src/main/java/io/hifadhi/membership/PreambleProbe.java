package io.hifadhi.membership;

import com.google.common.net.HostAndPort;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * Speaks the first 6 bytes of Atomix 3.1.12's connection handshake (int preamble = clusterId.hashCode(), short
 * protocol version) to a seed, to tell why a join cannot proceed. Needed because Atomix itself, when the seed
 * drops a connection with a foreign preamble, never completes the client's connection future: a join request
 * to a seed of another cluster would just hang, and we could not say "different secret".
 */
final class PreambleProbe {

    enum Outcome {
        /** The seed answered with our preamble: same cluster id, hence same secret. */
        SAME_CLUSTER,
        /** The seed read our preamble and closed the connection: another cluster id (secret). */
        OTHER_CLUSTER,
        /** Nothing listens there. */
        NOT_LISTENING,
        /** Connected but no answer in time (seed hung or overloaded), or another I/O error. */
        NO_ANSWER
    }

    private static final short PROTOCOL_V1 = 1;

    private PreambleProbe() {
    }

    static Outcome probe(HostAndPort seed, int preamble, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(seed.getHost(), seed.getPort()), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.setTcpNoDelay(true);
            // One write: Atomix's handshake handler parses whatever the first read returns, without framing,
            // and throws if the 6 bytes arrive split.
            s.getOutputStream().write(ByteBuffer.allocate(6).putInt(preamble).putShort(PROTOCOL_V1).array());
            s.getOutputStream().flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int theirs = in.readInt();
            in.readShort();
            return theirs == preamble ? Outcome.SAME_CLUSTER : Outcome.OTHER_CLUSTER;
        } catch (EOFException e) {
            return Outcome.OTHER_CLUSTER;
        } catch (ConnectException e) {
            return Outcome.NOT_LISTENING;
        } catch (SocketTimeoutException e) {
            return Outcome.NO_ANSWER;
        } catch (IOException e) {
            return Outcome.NO_ANSWER;
        }
    }
}
