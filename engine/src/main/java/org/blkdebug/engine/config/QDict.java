package org.blkdebug.engine.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's {@code QDict}, including its iteration order. QEMU reports the first bad or unused option
 * in hash-table order (qobject/qdict.c: 512 buckets, {@code tdb_hash}, new keys inserted at the
 * head of their bucket), so "which error wins" when several options are wrong depends on it.
 *
 * <p>Values are {@link String}s, {@link Scalar}s (a JSON number or bool, which QemuOpts turns into
 * text but {@code qdict_get_try_str} ignores), {@link #OTHER} (JSON null or an empty object/array,
 * which QemuOpts silently skips), or, only while JSON is being parsed, nested QDicts and lists.
 */
final class QDict {
    /**
     * A JSON number or bool: QemuOpts sees {@link #text}, string lookups do not see it; the QAPI
     * visitor of {@code --object} checks its {@link Kind} (a QNum of int64, uint64 or double, or a
     * QBool whose text is "on"/"off").
     */
    record Scalar(String text, Kind kind) {
        enum Kind { INT, UINT, DOUBLE, BOOL }
    }

    /** QNull, or an empty QDict/QList left behind by {@code qdict_flatten}. */
    static final Object OTHER = new Object() {
        @Override
        public String toString() {
            return "<non-scalar>";
        }
    };

    private static final int BUCKETS = 512;

    private static final class Entry {
        final String key;
        Object value;

        Entry(String key, Object value) {
            this.key = key;
            this.value = value;
        }
    }

    @SuppressWarnings("unchecked")
    private final List<Entry>[] buckets = new List[BUCKETS];
    private int size;

    /** QEMU's tdb_hash over the key's UTF-8 bytes, modulo the bucket count. */
    static int bucket(String key) {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        int v = 0x238F13AF * b.length;
        for (int i = 0; i < b.length; i++) {
            v += (b[i] & 0xff) << (i * 5 % 24);
        }
        return Integer.remainderUnsigned(1103515243 * v + 12345, BUCKETS);
    }

    private Entry find(String key) {
        List<Entry> list = buckets[bucket(key)];
        if (list != null) {
            for (Entry e : list) {
                if (e.key.equals(key)) {
                    return e;
                }
            }
        }
        return null;
    }

    /** qdict_put_obj: an existing key keeps its place and gets the new value. */
    void put(String key, Object value) {
        Entry e = find(key);
        if (e != null) {
            e.value = value;
            return;
        }
        int b = bucket(key);
        if (buckets[b] == null) {
            buckets[b] = new ArrayList<>(2);
        }
        buckets[b].add(0, new Entry(key, value));
        size++;
    }

    Object get(String key) {
        Entry e = find(key);
        return e == null ? null : e.value;
    }

    boolean containsKey(String key) {
        return find(key) != null;
    }

    /** qdict_get_try_str: the value if it is a string, else null. */
    String getString(String key) {
        return get(key) instanceof String s ? s : null;
    }

    void remove(String key) {
        List<Entry> list = buckets[bucket(key)];
        if (list != null && list.removeIf(e -> e.key.equals(key))) {
            size--;
        }
    }

    int size() {
        return size;
    }

    /** The keys in QEMU's iteration order (qdict_first / qdict_next). */
    List<String> keys() {
        List<String> out = new ArrayList<>(size);
        for (List<Entry> list : buckets) {
            if (list != null) {
                for (Entry e : list) {
                    out.add(e.key);
                }
            }
        }
        return out;
    }

    String firstKey() {
        List<String> k = keys();
        return k.isEmpty() ? null : k.get(0);
    }

    /** qdict_extract_subqdict: moves every "PREFIXrest" entry to a new dict as "rest". */
    QDict extractSub(String prefix) {
        QDict sub = new QDict();
        for (String k : keys()) {
            if (k.startsWith(prefix)) {
                sub.put(k.substring(prefix.length()), get(k));
                remove(k);
            }
        }
        return sub;
    }

    boolean hasKeyStartingWith(String prefix) {
        for (String k : keys()) {
            if (k.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
