package io.hifadhi.node.transport;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.util.Pool;

import java.util.ArrayList;
import java.util.List;

/**
 * Kryo 5 encoding of internode messages: registration required, ids fixed by the order of the
 * class list (so both ends must list the same classes in the same order — the list is part of the
 * wire format, versioned by {@link Transport#FORMAT_VERSION}), no references.
 * Messages are records of primitives, strings and arrays; Kryo's record serializer writes their
 * components in declaration order.
 */
public final class WireCodec {
    private static final int FIRST_ID = 100;
    private final List<Class<?>> types;
    private final Pool<Kryo> pool;

    public WireCodec(List<Class<?>> messageTypes) {
        List<Class<?>> all = new ArrayList<>();
        all.add(RemoteFailure.class);
        all.addAll(messageTypes);
        this.types = List.copyOf(all);
        this.pool = new Pool<>(true, false, 64) {
            @Override
            protected Kryo create() {
                Kryo kryo = new Kryo();
                kryo.setRegistrationRequired(true);
                kryo.setReferences(false);
                kryo.register(byte[].class, 10);
                kryo.register(byte[][].class, 11);
                kryo.register(String[].class, 12);
                kryo.register(boolean[].class, 13);
                kryo.register(int[].class, 14);
                for (int i = 0; i < types.size(); i++) {
                    kryo.register(types.get(i), FIRST_ID + i);
                }
                return kryo;
            }
        };
    }

    void write(Output out, Object message) {
        Kryo kryo = pool.obtain();
        try {
            kryo.writeClassAndObject(out, message);
        } finally {
            pool.free(kryo);
        }
    }

    Object read(Input in) {
        Kryo kryo = pool.obtain();
        try {
            return kryo.readClassAndObject(in);
        } finally {
            pool.free(kryo);
        }
    }

    /** What a handler answers when it failed; the caller sees a {@link RemoteException}. */
    public record RemoteFailure(String message) {
    }
}
