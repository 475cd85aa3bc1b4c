package org.blkdebug.engine.nio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.blkdebug.engine.crash.CrashChoice;
import org.blkdebug.engine.crash.CrashStates;
import org.blkdebug.engine.crash.FileStates;

/**
 * The crash states of a whole file system, frozen: every volatile change in the order it happened
 * — each write to a file (torn by 4 KiB page, from its page cache) and each change of directory
 * entries not yet made durable by an fsync of its directory ({@link NamespaceJournal}) — numbered
 * from 1 as {@code crash} numbers them. A state is a set of kept changes; it is built as a
 * directory: the tree under the root as it is, with the dropped entry changes undone (newest
 * first) and each file with a page cache holding its bytes in that state.
 */
final class FileSystemStates implements CrashStates.Units, AutoCloseable {
    /** One file with a page cache: its states and the identity of the real file (its inode). */
    record File(FileStates states, Object fileKey, Path path) {
    }

    /** One volatile change: write {@code local} of {@code file}, or the entry change {@code op}. */
    private record Change(long seq, int file, int local, NamespaceJournal.Op op) {
    }

    private final Path root;
    private final List<File> files;
    private final List<Change> changes;
    private final int[] base;
    private final int[] size;
    private final int total;
    /** The tree under the root now: relative name -> where its bytes are (null: a directory). */
    private final TreeMap<Path, Path> now = new TreeMap<>();
    /** Which file with a page cache a source is, by its identity (inode). */
    private final Map<Object, Integer> byKey = new HashMap<>();

    FileSystemStates(Path root, List<File> files, List<NamespaceJournal.Op> ops) throws IOException {
        this.root = root;
        this.files = List.copyOf(files);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (!p.equals(root)) {
                    now.put(root.relativize(p), Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? null : p);
                }
            }
        }
        for (int f = 0; f < files.size(); f++) {
            byKey.put(files.get(f).fileKey(), f);
        }
        List<Change> all = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            FileStates s = files.get(f).states();
            for (int i = 0; i < s.writes(); i++) {
                all.add(new Change(s.seq(i), f, i, null));
            }
        }
        ops.forEach(op -> all.add(new Change(op.seq(), -1, -1, op)));
        all.sort(Comparator.comparingLong(Change::seq));
        this.changes = List.copyOf(all);
        base = new int[changes.size()];
        size = new int[changes.size()];
        int u = 0;
        for (int g = 0; g < changes.size(); g++) {
            Change c = changes.get(g);
            base[g] = u;
            size[g] = c.file >= 0 ? files.get(c.file).states().units(c.local) : 1;
            u += size[g];
        }
        total = u;
    }

    @Override
    public int units() {
        return total;
    }

    @Override
    public int groups() {
        return changes.size();
    }

    @Override
    public int base(int g) {
        return base[g];
    }

    @Override
    public int size(int g) {
        return size[g];
    }

    /** How many units each change has (for resolving a choice). */
    int[] sizes() {
        return size.clone();
    }

    /** The kept units of file {@code f}, in its own numbering. */
    private BitSet local(int f, BitSet kept) {
        FileStates s = files.get(f).states();
        BitSet out = new BitSet(s.units());
        for (int g = 0; g < changes.size(); g++) {
            Change c = changes.get(g);
            if (c.file == f) {
                for (int j = 0; j < size[g]; j++) {
                    if (kept.get(base[g] + j)) {
                        out.set(s.firstUnit(c.local) + j);
                    }
                }
            }
        }
        return out;
    }

    /** Equal for states with the same tree and the same bytes in each file. */
    @Override
    public long hash(BitSet kept) {
        long h = 0x5EEDF5L;
        for (Map.Entry<Path, Path> e : tree(kept).entrySet()) {
            long name = 0;
            for (char c : e.getKey().toString().toCharArray()) {
                name = name * 31 + c;
            }
            long bytes;
            if (e.getValue() == null) {
                bytes = 0xD1;
            } else {
                Object key = fileKey(e.getValue());
                Integer f = byKey.get(key);
                bytes = f != null ? files.get(f).states().hash(local(f, kept)) : key.hashCode();
            }
            h += mix(mix(name) ^ bytes);
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public CrashChoice.Explicit choice(BitSet kept) {
        List<CrashChoice.Keep> keep = new ArrayList<>();
        for (int g = 0; g < changes.size(); g++) {
            BitSet mine = kept.get(base[g], base[g] + size[g]);
            if (!mine.isEmpty()) {
                keep.add(new CrashChoice.Keep(g + 1, mine.cardinality() == size[g] ? null : mine));
            }
        }
        return new CrashChoice.Explicit(changes.size(), keep);
    }

    /** The kept units an explicit choice names. */
    BitSet kept(CrashChoice.Explicit choice) {
        BitSet kept = new BitSet(total);
        for (CrashChoice.Keep k : choice.keep()) {
            int g = k.write() - 1;
            if (k.sectors() == null) {
                kept.set(base[g], base[g] + size[g]);
            } else {
                k.sectors().stream().forEach(j -> kept.set(base[g] + j));
            }
        }
        return kept;
    }

    /** The per-file choice of file {@code f} for a crash that keeps {@code kept}. */
    CrashChoice.Explicit fileChoice(int f, BitSet kept) {
        FileStates s = files.get(f).states();
        BitSet local = local(f, kept);
        List<CrashChoice.Keep> keep = new ArrayList<>();
        for (int i = 0; i < s.writes(); i++) {
            BitSet mine = local.get(s.firstUnit(i), s.firstUnit(i) + s.units(i));
            if (!mine.isEmpty()) {
                keep.add(new CrashChoice.Keep(i + 1, mine.cardinality() == s.units(i) ? null : mine));
            }
        }
        return new CrashChoice.Explicit(s.writes(), keep);
    }

    /** The entry changes {@code kept} drops. */
    List<NamespaceJournal.Op> droppedOps(BitSet kept) {
        List<NamespaceJournal.Op> out = new ArrayList<>();
        for (int g = 0; g < changes.size(); g++) {
            if (changes.get(g).op != null && !kept.get(base[g])) {
                out.add(changes.get(g).op);
            }
        }
        return out;
    }

    /** One line per change, numbered as {@code crash} numbers them. */
    List<String> describe() {
        List<String> out = new ArrayList<>();
        for (int g = 0; g < changes.size(); g++) {
            Change c = changes.get(g);
            out.add((g + 1) + " " + (c.op != null ? c.op.describe(root)
                    : "write " + root.relativize(files.get(c.file).path()) + " (" + size[g] + " page"
                    + (size[g] == 1 ? ")" : "s)")));
        }
        return out;
    }

    /** The tree of the state {@code kept}: the tree now, with the dropped entry changes undone, newest first. */
    private TreeMap<Path, Path> tree(BitSet kept) {
        TreeMap<Path, Path> tree = new TreeMap<>(now);
        List<NamespaceJournal.Op> undo = droppedOps(kept);
        undo.sort(Comparator.comparingLong(NamespaceJournal.Op::seq).reversed());
        for (NamespaceJournal.Op op : undo) {
            switch (op) {
                case NamespaceJournal.Created c -> {
                    removeTree(tree, rel(c.path()));
                    if (c.replaced() != null) {
                        tree.put(rel(c.path()), c.replaced());
                    }
                }
                case NamespaceJournal.Deleted d -> tree.put(rel(d.path()), d.directory() ? null : d.backup());
                case NamespaceJournal.Renamed r -> {
                    Path to = rel(r.to());
                    Path from = rel(r.from());
                    Map<Path, Path> moving = new HashMap<>();
                    for (Map.Entry<Path, Path> e : tree.entrySet()) {
                        if (e.getKey().startsWith(to)) {
                            moving.put(from.resolve(to.relativize(e.getKey())), e.getValue());
                        }
                    }
                    removeTree(tree, to);
                    tree.putAll(moving);
                    if (r.replaced() != null) {
                        tree.put(to, r.replaced());
                    }
                }
            }
        }
        return tree;
    }

    /**
     * Builds the state {@code kept} in the empty directory {@code into}: its tree, files with a
     * page cache holding their bytes in that state, the others copied as they are.
     */
    void build(BitSet kept, Path into) throws IOException {
        for (Map.Entry<Path, Path> e : tree(kept).entrySet()) {
            Path target = into.resolve(e.getKey().toString());
            if (e.getValue() == null) {
                Files.createDirectories(target);
                continue;
            }
            Files.createDirectories(target.getParent());
            Integer f = byKey.get(fileKey(e.getValue()));
            if (f != null) {
                files.get(f).states().write(local(f, kept), target);
            } else if (Files.exists(e.getValue(), LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(e.getValue(), target);
            }
        }
    }

    private Path rel(Path real) {
        return root.relativize(real);
    }

    private static void removeTree(TreeMap<Path, Path> tree, Path p) {
        tree.keySet().removeIf(k -> k.startsWith(p));
    }

    private static Object fileKey(Path p) {
        try {
            Object k = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return Objects.requireNonNullElse(k, p);
        } catch (IOException e) {
            return p;
        }
    }

    @Override
    public void close() {
        files.forEach(f -> f.states().close());
    }
}
