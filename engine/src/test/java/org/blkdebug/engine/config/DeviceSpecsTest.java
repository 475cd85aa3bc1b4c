package org.blkdebug.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.blkdebug.engine.BlkDebugOptions;
import org.blkdebug.engine.DeviceSpec;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;

/**
 * Filenames, json: and --image-opts. Expected error texts come from real qemu-io 7.2 runs
 * ("can't open device X: MSG" for filenames, "can't open: MSG" for --image-opts).
 */
class DeviceSpecsTest {
    private static final String B = "driver=raw,file.driver=blkdebug,file.image.filename=img";
    private static final String IMAGE = "\"image\":{\"driver\":\"file\",\"filename\":\"img\"}";

    private static void assertOptsError(String opts, String message) {
        assertThatThrownBy(() -> DeviceSpecs.parseImageOpts(opts)).isInstanceOf(OpenException.class).hasMessage(message);
    }

    private static void assertFilenameError(String filename, String format, String message) {
        assertThatThrownBy(() -> DeviceSpecs.parseFilename(filename, format))
                .isInstanceOf(OpenException.class).hasMessage(message);
    }

    @Test
    void blkdebugFilenameNamesConfigAndImage() throws Exception {
        DeviceSpec d = DeviceSpecs.parseFilename("blkdebug:c.ini:img", "raw");
        assertThat(d).isEqualTo(new DeviceSpec(DeviceSpec.Format.RAW,
                new BlkDebugOptions("c.ini", "img", 0, 0, 0, 0, 0, 0, List.of(), List.of()), "img"));
    }

    @Test
    void emptyConfigMeansNone() throws Exception {
        assertThat(DeviceSpecs.parseFilename("blkdebug::img", "raw").blkdebug()).isEqualTo(BlkDebugOptions.of("img"));
    }

    @Test
    void imageMaySContainColons() throws Exception {
        // Split at the first ':' after the prefix; a '/' before any ':' means no protocol.
        assertThat(DeviceSpecs.parseFilename("blkdebug::/tmp/a:b", "raw").filename()).isEqualTo("/tmp/a:b");
    }

    @Test
    void noFormatMeansProbe() throws Exception {
        assertThat(DeviceSpecs.parseFilename("blkdebug::img", null).format()).isEqualTo(DeviceSpec.Format.PROBE);
        assertThat(DeviceSpecs.parseFilename("img", null)).isEqualTo(new DeviceSpec(DeviceSpec.Format.PROBE, null, "img"));
    }

    @Test
    void protocolDriverAsFormatPutsNoRawOnTop() throws Exception {
        DeviceSpec d = DeviceSpecs.parseFilename("blkdebug::img", "blkdebug");
        assertThat(d.format()).isEqualTo(DeviceSpec.Format.NONE);
        assertThat(d.blkdebug().image()).isEqualTo("img");
        // -f file opens the whole string as a file name.
        assertThat(DeviceSpecs.parseFilename("blkdebug::img", "file"))
                .isEqualTo(new DeviceSpec(DeviceSpec.Format.NONE, null, "blkdebug::img"));
        assertThat(DeviceSpecs.parseFilename("img", "blkdebug").blkdebug()).isEqualTo(BlkDebugOptions.of("img"));
    }

    @Test
    void filenameErrorsMatchQemu() {
        assertFilenameError("blkdebug:img", "raw", "blkdebug requires both config file and image path");
        assertFilenameError("blkdebug::", "raw", "The 'file' block driver requires a file name");
        assertFilenameError("foo:bar", "raw", "Unknown protocol 'foo'");
        assertFilenameError("blkdebug::foo:bar", "raw", "Unknown protocol 'foo'");
        assertFilenameError("blkdebug::img", "bogus", "Unknown driver 'bogus'");
        assertFilenameError("blkdebug::json:{}", "raw", "Must specify either driver or file");
    }

    @Test
    void jsonGivesTheWholeStack() throws Exception {
        DeviceSpec d = DeviceSpecs.parseFilename("json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\","
                + IMAGE + ",\"config\":\"c.ini\",\"align\":\"4k\",\"inject-error\":[{\"event\":\"read_aio\","
                + "\"errno\":28,\"once\":true},{\"event\":\"write_aio\",\"iotype\":\"write\"}],"
                + "\"set-state\":[{\"event\":\"write_aio\",\"state\":1,\"new_state\":2}]}}", null);
        assertThat(d.format()).isEqualTo(DeviceSpec.Format.RAW);
        assertThat(d.filename()).isEqualTo("img");
        BlkDebugOptions o = d.blkdebug();
        assertThat(o.config()).isEqualTo("c.ini");
        assertThat(o.align()).isEqualTo(4096);
        assertThat(o.injectErrors()).containsExactly(
                new Rule.InjectError(Event.READ_AIO, 0, IoType.DEFAULT_MASK, Errno.ENOSPC, -1, true, false),
                new Rule.InjectError(Event.WRITE_AIO, 0, IoType.WRITE.bit(), Errno.EIO, -1, false, false));
        assertThat(o.setStates()).containsExactly(new Rule.SetState(Event.WRITE_AIO, 1, 2));
    }

    @Test
    void jsonNumbersBecomeQemuText() throws Exception {
        // 4096.0 prints as "4096" (%.17g); -1e3 wraps like strtoull("-1000"); uint64 max is errno -1.
        String pre = "json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\"," + IMAGE;
        assertThat(DeviceSpecs.parseFilename(pre + ",\"align\":4096.0}}", null).blkdebug().align()).isEqualTo(4096);
        assertThat(DeviceSpecs.parseFilename(pre + ",\"inject-error\":[{\"event\":\"read_aio\",\"errno\":-1e3}]}}", null)
                .blkdebug().injectErrors().get(0).errno()).isEqualTo(-1000);
        assertThat(DeviceSpecs.parseFilename(pre + ",\"inject-error\":[{\"event\":\"read_aio\","
                + "\"errno\":18446744073709551615}]}}", null).blkdebug().injectErrors().get(0).errno()).isEqualTo(-1);
        assertFilenameError(pre + ",\"inject-error\":[{\"event\":\"read_aio\",\"errno\":1.5}]}}", null,
                "Parameter 'errno' expects a number");
        assertFilenameError(pre + ",\"inject-error\":[{\"event\":\"read_aio\",\"errno\":1e400}]}}", null,
                "Parameter 'errno' expects a number");
        assertFilenameError(pre + ",\"inject-error\":[{\"event\":\"read_aio\",\"errno\":true}]}}", null,
                "Parameter 'errno' expects a number");
    }

    @Test
    void jsonSyntaxErrorsMatchQemu() {
        String p = "Could not parse the JSON options: ";
        assertFilenameError("json:", null, p + "Expecting a JSON value");
        assertFilenameError("json:{", null, p + "JSON parse error, premature EOI");
        assertFilenameError("json:{\"a\":}", null, p + "JSON parse error, expecting value");
        assertFilenameError("json:{\"a\" 1}", null, p + "JSON parse error, missing : in object pair");
        assertFilenameError("json:{a:1}", null, p + "JSON parse error, invalid keyword 'a'");
        assertFilenameError("json:{1:2}", null, p + "JSON parse error, key is not a string in object");
        assertFilenameError("json:{\"a\":1 \"b\":2}", null, p + "JSON parse error, expected separator in dict");
        assertFilenameError("json:[1 2]", null, p + "JSON parse error, expected separator in list");
        assertFilenameError("json:{\"x\":1e}", null, p + "JSON parse error, stray '1e}'");
        assertFilenameError("json:{\"x\":01}", null, p + "JSON parse error, stray '01'");
        assertFilenameError("json:{\"a\":\"x}", null, p + "JSON parse error, stray '\"x}'");
        assertFilenameError("json:{\"x\":\"\\q\"}", null, p + "JSON parse error, invalid escape sequence in string");
        assertFilenameError("json:{\"x\":\"\\u00\"}", null, p + "JSON parse error, \\u00\" is not a valid Unicode character");
        assertFilenameError("json:{\"a\":1,\"a\":2}", null, p + "JSON parse error, duplicate key");
        assertFilenameError("json:{}{}", null, p + "Expecting at most one JSON value");
        assertFilenameError("json:" + "[".repeat(1025), null, p + "JSON nesting depth limit exceeded");
        assertFilenameError("json:[]", null, "Invalid JSON object given");
        assertFilenameError("json:{}", null, "Must specify either driver or file");
    }

    @Test
    void jsonAcceptsSingleQuotes() throws Exception {
        assertThat(DeviceSpecs.parseFilename("json:{'driver':'file','filename':'img'}", null))
                .isEqualTo(new DeviceSpec(DeviceSpec.Format.NONE, null, "img"));
    }

    @Test
    void jsonEmptyListIsAnUnsupportedOption() {
        assertFilenameError("json:{\"driver\":\"raw\",\"file\":{\"driver\":\"blkdebug\"," + IMAGE
                + ",\"inject-error\":[]}}", null, "Block protocol 'blkdebug' doesn't support the option 'inject-error'");
    }

    @Test
    void imageOptsGiveTheWholeStack() throws Exception {
        DeviceSpec d = DeviceSpecs.parseImageOpts(B + ",file.config=c,,1.ini,file.align=4k,file.max-transfer=64k,"
                + "file.inject-error.0.event=read_aio,file.inject-error.0.sector=0x10,file.inject-error.1.event=none,"
                + "file.set-state.event=none,file.set-state.new_state=5");
        BlkDebugOptions o = d.blkdebug();
        assertThat(d.format()).isEqualTo(DeviceSpec.Format.RAW);
        assertThat(o.config()).isEqualTo("c,1.ini");
        assertThat(o.maxTransfer()).isEqualTo(65536);
        assertThat(o.injectErrors()).extracting(Rule.InjectError::event).containsExactly(Event.READ_AIO, Event.NONE);
        assertThat(o.injectErrors().get(0).sector()).isEqualTo(16);
        assertThat(o.setStates()).containsExactly(new Rule.SetState(Event.NONE, 0, 5));
    }

    @Test
    void bareKeyMeansOn() throws Exception {
        assertThat(DeviceSpecs.parseImageOpts(B + ",file.inject-error.0.event=read_aio,file.inject-error.0.once")
                .blkdebug().injectErrors().get(0).once()).isTrue();
    }

    @Test
    void imageOptsErrorsMatchQemu() {
        assertOptsError(B + ",file.inject-error.1.event=read_aio", "Unused option '1.event' for [inject-error]");
        assertOptsError(B + ",file.inject-error.0.bogus=1", "[inject-error] section doesn't support the option 'bogus'");
        assertOptsError(B + ",file.bogus=1", "Block protocol 'blkdebug' doesn't support the option 'bogus'");
        assertOptsError(B + ",bogus=1", "Block format 'raw' does not support the option 'bogus'");
        assertOptsError("driver=raw,file.driver=blkdebug", "A block device must be specified for \"image\"");
        assertOptsError("driver=raw", "A block device must be specified for \"file\"");
        assertOptsError("", "Must specify either driver or file");
        assertOptsError(B + ",file.inject-error.event=read_aio,file.inject-error.0.event=read_aio",
                "Unknown option '0.event' for [inject-error]");
        assertOptsError(B + ",file.inject-error.0=x", "[inject-error] section (index 0) does not consist of keys");
        assertOptsError(B + ",file.inject-error.0.event=bogus,file.set-state.0.event=bogus2", "invalid parameter value: bogus");
        assertOptsError(B + ",file.inject-error.0.event=read_aio,,x", "invalid parameter value: read_aio,x");
        assertOptsError(B + ",file.set-state.0.event=read_aio,file.set-state.0.new_state=x",
                "Parameter 'new_state' expects a number");
        assertOptsError("driver=raw,file.driver=blkdebug,file.image=img", "Cannot find device='img' nor node-name='img'");
        assertOptsError(B + ",file.image.bogus=1", "Block protocol 'file' doesn't support the option 'bogus'");
        assertOptsError(B + ",file.take-child-perms.0=bogus", "Parameter 'null' does not accept value 'bogus'");
        assertOptsError(B + ",id=foo", "Block format 'raw' does not support the option 'id'");
    }

    @Test
    void sizeOptionsFollowQemuStrtosz() throws Exception {
        assertThat(DeviceSpecs.parseImageOpts(B + ",file.align=0.5k").blkdebug().align()).isEqualTo(512);
        assertThat(DeviceSpecs.parseImageOpts(B + ",file.align= 4K").blkdebug().align()).isEqualTo(4096);
        assertThat(DeviceSpecs.parseImageOpts(B + ",file.align=0x1000").blkdebug().align()).isEqualTo(4096);
        assertThat(DeviceSpecs.parseImageOpts(B + ",file.align=1.k").blkdebug().align()).isEqualTo(1024);
        String bad = "Parameter 'align' expects a non-negative number below 2^64\n"
                + "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
                + "and exabytes, respectively.";
        for (String v : new String[] {"abc", "-1", "", "1.5", "4k ", "4kB", "1e3"}) {
            assertOptsError(B + ",file.align=" + v, bad);
        }
        assertOptsError(B + ",file.align=16E", "Value '16E' is out of range for parameter 'align'");
    }

    @Test
    void limitsAreCheckedAsQemuDoes() {
        assertOptsError(B + ",file.align=3", "Cannot meet constraints with align 3");
        assertOptsError(B + ",file.align=1.5k", "Cannot meet constraints with align 1536");
        assertOptsError(B + ",file.align=2147483648", "Cannot meet constraints with align 2147483648");
        assertOptsError(B + ",file.align=4096,file.max-transfer=512", "Cannot meet constraints with max-transfer 512");
        assertOptsError(B + ",file.max-transfer=2147483647", "Cannot meet constraints with max-transfer 2147483647");
        assertOptsError(B + ",file.opt-write-zero=4096,file.max-write-zero=6144",
                "Cannot meet constraints with max-write-zero 6144");
        assertOptsError(B + ",file.opt-discard=8192,file.max-discard=4096", "Cannot meet constraints with max-discard 4096");
    }

    @Test
    void ruleErrorsComeBeforeLimitErrors() {
        assertOptsError(B + ",file.inject-error.0.event=bogus,file.align=3", "invalid parameter value: bogus");
    }

    @Test
    void firstBadSizeFollowsQemuHashOrder() {
        assertOptsError(B + ",file.align=abc,file.max-transfer=xyz",
                "Parameter 'max-transfer' expects a non-negative number below 2^64\n"
                        + "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
                        + "and exabytes, respectively.");
    }
}
