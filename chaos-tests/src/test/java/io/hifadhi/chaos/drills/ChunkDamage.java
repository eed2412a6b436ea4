package io.hifadhi.chaos.drills;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the corruption drills do to a chunk file on disk (synced, so the node reads the damage). */
enum ChunkDamage {
    FLIP_BYTE, TRUNCATE, DELETE;

    void applyTo(Path file) throws IOException {
        switch (this) {
            case FLIP_BYTE -> {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    long pos = f.length() / 2;
                    f.seek(pos);
                    int b = f.read();
                    f.seek(pos);
                    f.write(b ^ 0x01);
                    f.getFD().sync();
                }
            }
            case TRUNCATE -> {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                    f.setLength(f.length() - 1000);
                    f.getFD().sync();
                }
            }
            case DELETE -> Files.delete(file);
        }
    }
}
