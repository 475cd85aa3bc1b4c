package org.blkdebug.cli.difftest;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.blkdebug.cli.Main;
import org.blkdebug.cli.report.Console;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * qemu-io's {@code --object}: command lines with object definitions, run through the real
 * qemu-io 7.2 and through ours, must print the same (stdout and stderr as one stream) and exit
 * alike. A fixed list of the classes of behaviour (keyval and JSON syntax, schema checks, each
 * type's creation checks, help texts, several objects, the order against other options) plus
 * definitions generated from QEMU's schema with random members, values and damage (seeded:
 * {@code -Dtests.seed=N}). Skipped when qemu-io is not installed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ObjectOptionDifferentialTest {
    private static final int GENERATED = Integer.getInteger("objecttest.generated", 150);

    @TempDir
    Path dir;

    /** Definitions for one command line each; DIR stands for the test's temp directory. */
    private static final List<List<String>> FIXED = List.of(
            List.of("KPkfa]"), List.of("secret"), List.of("secret,id=s0"), List.of("iothread,id=i"), List.of("help"),
            List.of("secret,help"), List.of("?"), List.of("secret,?"), List.of("helpme"), List.of("help,secret"),
            List.of("{\"qom-type\":\"secret\",\"id\":\"s\",\"data\":\"x\"}"), List.of("{bad"), List.of("["),
            List.of("secret,id=s0,data=x,bogus=1"), List.of(","), List.of(""), List.of("secret,id=1bad,data=x"),
            List.of("main-loop,id=m"), List.of("main-loop,id=m,aio-max-batch=-1"), List.of("authz-list-file,id=a,filename=x"),
            List.of("authz-listfile,id=a,filename=/x"), List.of("cryptodev-vhost-user,id=a"), List.of("memory-backend-epc,id=a"),
            List.of("secret_keyring,id=a"), List.of("secret_keyring,id=a,serial=1"), List.of("secret_keyring,id=a,serial=0"),
            List.of("x-remote-object,id=a"), List.of("secret,id=s0,data=x,format=bogus"), List.of("authz-list,id=a,policy=x"),
            List.of("authz-simple,id=a"), List.of("throttle-group,id=t,x-iops-total=-1"),
            List.of("throttle-group,id=t,x-iops-total-max-length=5000000000"), List.of("throttle-group,id=t,limits.iops-total=-1"),
            List.of("throttle-group,id=t,limits.bps-total=10,limits.bps-total-max=5"),
            List.of("throttle-group,id=t,limits.bps-total=10,limits.bps-total-max-length=3"), List.of("throttle-group,id=t,x-iops-size=1"),
            List.of("thread-context,id=t,cpu-affinity.0=1,node-affinity.0=0"), List.of("thread-context,id=s,cpu-affinity.1=1"),
            List.of("thread-context,id=s,cpu-affinity.0=70000"), List.of("{\"qom-type\":\"thread-context\",\"id\":\"t\",\"cpu-affinity\":[]}"),
            List.of("tls-creds-psk,id=t"), List.of("tls-creds-x509,id=t,dir=DIR"), List.of("tls-creds-psk,id=t,dir=DIR/nosuch"),
            List.of("tls-creds-psk,id=t,dir=DIR,endpoint=server,username=u"), List.of("tls-cipher-suites,id=t"),
            List.of("tls-creds-anon,id=t,loaded=on"), List.of("pr-manager-helper,id=p,path=DIR/nosuch"),
            List.of("pr-manager-helper,id=p,path=DIR/key"), List.of("secret,id=s,data=x,bogus=1,zzz=2,aaa=3"),
            List.of("secret,id=s,data=x,a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9"), List.of("container,help"), List.of("tls-creds,help"),
            List.of("[1]"), List.of("{\"qom-type\":5}"), List.of("{\"qom-type\":\"secret\",\"id\":\"s\",\"data\":\"x\"}{}"),
            List.of("{\"qom-type\":\"throttle-group\",\"id\":\"s\",\"x-iops-total\":18446744073709551615}"),
            List.of("{\"qom-type\":\"authz-list\",\"id\":\"a\",\"rules\":[{\"match\":\"x\"}]}"),
            List.of("secret,id=s,file=DIR/nosuch"), List.of("secret,id=s,file=DIR"), List.of("secret,id=s,file=DIR/key,data=x"),
            List.of("secret,id=s,file=DIR/nul,format=base64"), List.of("secret,id=s,data=a!c,format=base64"),
            List.of("secret,id=k,file=DIR/key", "secret,id=s,data=abcdefghabcdefgh,keyid=k,iv=AAAAAAAAAAAAAAAAAAAAAA=="),
            List.of("secret,id=k,file=DIR/key", "secret,id=s,data=abc,keyid=k,iv=AAAA"),
            List.of("secret,id=k,data=short", "secret,id=s,data=abc,keyid=k"), List.of("secret,id=k,data=x,keyid=k"),
            List.of("authz-simple,id=k,identity=x", "secret,id=s,data=abc,keyid=k"),
            List.of("secret,id=s0,data=x", "secret,id=s0,data=y"), List.of("a.b=1,a=2"), List.of("a=1,a.b=2"),
            List.of("secret,id"), List.of("secret,id=s,=x"), List.of("secret,id=s,data=a,,b,"),
            List.of("x-vfio-user-server,id=v,socket.type=bogus,device=d"),
            List.of("x-vfio-user-server,id=v,socket.type=inet,socket.host=h,socket.port=1,socket.to=70000,device=d"),
            List.of("memory-backend-file,id=m,size=1x,mem-path=/x"), List.of("secret_keyring,id=a,serial=99999999999"));

    @Test
    void objectDefinitionsAreAnsweredAsQemuIoAnswersThem() throws Exception {
        Assumptions.assumeTrue(Runner.qemuInstalled(),
                "--object comparison skipped: " + Runner.QEMU_IO + " is not installed (apt-get install qemu-utils)");
        long seed = Long.getLong("tests.seed", System.nanoTime());
        System.out.println("ObjectOptionDifferentialTest: seed " + seed + " (-Dtests.seed=" + seed + " replays it)");
        Path image = dir.resolve("t.img");
        Files.write(image, new byte[65536]);
        Files.writeString(dir.resolve("key"), "0123456789abcdef0123456789abcdef");
        Files.write(dir.resolve("nul"), new byte[] {'e', 'A', 0, '='});
        List<List<String>> cases = new ArrayList<>(FIXED);
        Generator g = new Generator(new Random(seed), dir);
        for (int i = 0; i < GENERATED; i++) {
            cases.add(g.commandLine());
        }
        List<String> diffs = new ArrayList<>();
        for (List<String> defs : cases) {
            List<String> args = new ArrayList<>();
            for (String d : defs) {
                args.add("--object");
                args.add(d.replace("DIR", dir.toString()));
            }
            args.addAll(List.of("-c", "length", "-f", "raw", image.toString()));
            String qemu = qemu(args);
            String ours = ours(args);
            if (!qemu.equals(ours)) {
                diffs.add("args " + args + "\n  qemu-io: " + qemu.replace("\n", "\n           ") + "\n  ours:    "
                        + ours.replace("\n", "\n           "));
            }
        }
        System.out.println("ObjectOptionDifferentialTest: " + cases.size() + " command lines, " + diffs.size() + " differ");
        if (!diffs.isEmpty()) {
            fail(diffs.size() + " of " + cases.size() + " --object command lines differ from qemu-io 7.2 (seed " + seed
                    + "):\n" + String.join("\n", diffs.subList(0, Math.min(20, diffs.size()))));
        }
    }

    private static String qemu(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Runner.QEMU_IO));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("QEMU_IO_OPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "[qemu-io hung]";
        }
        return new String(out, StandardCharsets.UTF_8) + "[exit " + p.exitValue() + "]";
    }

    private static String ours(List<String> args) {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        Console console = new Console(both, both, StandardCharsets.UTF_8);
        int status = Main.run(args.toArray(String[]::new), console, InputStream.nullInputStream(), false);
        return both.toString(StandardCharsets.UTF_8) + "[exit " + status + "]";
    }

    /**
     * Definitions drawn from QEMU's own schema table (the one the engine reads): a type, some of
     * its members (nested ones dotted, lists indexed) with values right and wrong for their types,
     * sometimes an unknown key, a bad id, keyval damage, or the JSON form.
     */
    private static final class Generator {
        private final Random rnd;
        private final Path dir;
        private final Map<String, List<String[]>> structs = new HashMap<>();
        private final Map<String, List<String>> enums = new HashMap<>();
        private final Map<String, Map<String, String>> cases = new HashMap<>();
        private final List<String> types = new ArrayList<>();

        Generator(Random rnd, Path dir) throws IOException {
            this.rnd = rnd;
            this.dir = dir;
            try (InputStream in = Main.class.getResourceAsStream("/org/blkdebug/engine/config/qom-schema.txt");
                    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String cur = null;
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    String[] w = line.trim().split(" ");
                    switch (w[0]) {
                        case "enum" -> enums.put(w[1], List.of(w).subList(2, w.length));
                        case "struct" -> {
                            cur = w[1];
                            structs.put(cur, new ArrayList<>());
                            cases.put(cur, new LinkedHashMap<>());
                        }
                        case "member" -> structs.get(cur).add(w);
                        case "case" -> cases.get(cur).put(w[1], w[2]);
                        default -> {
                        }
                    }
                }
            }
            types.addAll(enums.get("ObjectType"));
        }

        private <T> T pick(List<T> l) {
            return l.get(rnd.nextInt(l.size()));
        }

        private static final List<String> QEMU_IO_TYPES = List.of("authz-list", "authz-simple", "main-loop",
                "pr-manager-helper", "secret", "secret_keyring", "thread-context", "throttle-group", "tls-cipher-suites",
                "tls-creds-anon", "tls-creds-psk", "tls-creds-x509");

        List<String> commandLine() {
            List<String> defs = new ArrayList<>();
            int n = rnd.nextInt(8) == 0 ? 2 : 1;
            for (int i = 0; i < n; i++) {
                defs.add(definition());
            }
            return defs;
        }

        String definition() {
            String type = rnd.nextInt(10) < 7 ? pick(QEMU_IO_TYPES) : rnd.nextInt(8) == 0 ? "bogus-type" : pick(types);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("qom-type", type);
            if (rnd.nextInt(12) != 0) {
                m.put("id", pick(List.of("o1", "o1", "k", "obj.2", "1bad", "_x", "a-b_c")));
            }
            String struct = cases.get("ObjectOptions").get(type);
            if (struct != null) {
                members(struct, m, "", 0);
            }
            if (rnd.nextInt(7) == 0) {
                m.put(pick(List.of("bogus", "zzz", "data", "limits.bogus", "rules.0.bogus", "x")), "1");
            }
            if (rnd.nextInt(4) == 0) {
                return json(m);
            }
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                String v = String.valueOf(e.getValue()).replace(",", ",,");
                sb.append(e.getKey().equals("qom-type") && rnd.nextBoolean() ? v : e.getKey() + "=" + v);
            }
            String s = sb.toString();
            return switch (rnd.nextInt(14)) {
                case 0 -> s.replaceFirst("=", "");
                case 1 -> s + ",";
                case 2 -> s + ",help";
                case 3 -> s.replaceFirst(",", ",,");
                case 4 -> s.replaceFirst("=", ".=");
                default -> s;
            };
        }

        private void members(String struct, Map<String, Object> m, String prefix, int depth) {
            for (String[] w : structs.get(struct)) {
                boolean required = w[3].equals("required");
                if (rnd.nextInt(100) >= (required ? 85 : 30)) {
                    continue;
                }
                String name = prefix + w[1];
                String type = w[2];
                if (type.startsWith("[")) {
                    String elem = type.substring(1, type.length() - 1);
                    int count = 1 + rnd.nextInt(2);
                    for (int i = 0; i < count; i++) {
                        value(name + "." + (rnd.nextInt(10) == 0 ? i + 1 : i), elem, m, depth);
                    }
                } else {
                    value(name, type, m, depth);
                }
            }
            Map<String, String> variants = cases.get(struct);
            if (!variants.isEmpty()) {
                for (Map.Entry<String, Object> e : m.entrySet()) {
                    if (variants.containsKey(String.valueOf(e.getValue())) && e.getKey().startsWith(prefix)
                            && !e.getKey().equals("qom-type")) {
                        members(variants.get(String.valueOf(e.getValue())), m, prefix, depth + 1);
                        break;
                    }
                }
            }
        }

        private void value(String name, String type, Map<String, Object> m, int depth) {
            if (structs.containsKey(type)) {
                if (depth < 2) {
                    members(type, m, name + ".", depth + 1);
                }
                return;
            }
            List<String> values = enums.get(type);
            Object v;
            if (values != null) {
                v = rnd.nextInt(5) == 0 ? "bogus" : pick(values);
            } else {
                v = switch (type) {
                    case "str" -> pick(List.of("x", "eA==", "a,b", dir + "/key", dir + "/nosuch", dir.toString(),
                            "0123456789abcdef0123456789abcdef", "AAAAAAAAAAAAAAAAAAAAAA==", "", "k"));
                    case "bool" -> pick(List.of("on", "off", "yes", "n", "maybe", "1"));
                    case "size" -> pick(List.of("1", "4k", "1x", "-1", "1E"));
                    default -> pick(List.of(0L, 1L, 2L, -1L, 100L, 65536L, 5000000000L, "0x10", "x", "9223372036854775808",
                            "1e3", " 7", "010"));
                };
            }
            m.put(name, v);
        }

        /** The same definition as JSON: dotted keys nested, numbers as numbers where they parse. */
        private String json(Map<String, Object> m) {
            Map<String, Object> root = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : m.entrySet()) {
                String[] path = e.getKey().split("\\.");
                Map<String, Object> cur = root;
                for (int i = 0; i < path.length - 1; i++) {
                    Object next = cur.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
                    if (!(next instanceof Map)) {
                        break;
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> nm = (Map<String, Object>) next;
                    cur = nm;
                }
                cur.put(path[path.length - 1], e.getValue());
            }
            return write(root);
        }

        private String write(Object v) {
            if (v instanceof Map<?, ?> map) {
                boolean list = !map.isEmpty() && map.keySet().stream().allMatch(k -> String.valueOf(k).matches("[0-9]+"));
                List<String> parts = new ArrayList<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    parts.add(list ? write(e.getValue()) : "\"" + e.getKey() + "\":" + write(e.getValue()));
                }
                return list ? "[" + String.join(",", parts) + "]" : "{" + String.join(",", parts) + "}";
            }
            if (v instanceof Long l) {
                return l.toString();
            }
            String s = String.valueOf(v);
            if ((s.equals("on") || s.equals("off")) && rnd.nextBoolean()) {
                return s.equals("on") ? "true" : "false";
            }
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
