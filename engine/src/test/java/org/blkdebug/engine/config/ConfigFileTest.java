package org.blkdebug.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The INI rule file. Every expected error text below was taken from a real run of qemu-io 7.2
 * ({@code qemu-io -f raw -c 'read 0 512' blkdebug:CFG:IMG}, the part after "can't open device X: ").
 */
class ConfigFileTest {
    private static final String READ_AIO = "[inject-error]\nevent = \"read_aio\"\n";

    private static ConfigFile.Rules parse(String text) throws OpenException {
        return ConfigFile.parse(text);
    }

    private static void assertError(String text, String message) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(OpenException.class).hasMessage(message);
    }

    @Test
    void injectErrorGetsQemuDefaults() throws Exception {
        ConfigFile.Rules r = parse(READ_AIO);
        assertThat(r.injectErrors()).containsExactly(Rule.InjectError.of(Event.READ_AIO));
        assertThat(r.setStates()).isEmpty();
    }

    @Test
    void everyFieldIsRead() throws Exception {
        ConfigFile.Rules r = parse("# comment\n\n[inject-error]\nevent = \"write_aio\"\nerrno = \"28\"\n"
                + "sector = \"8\"\nonce = \"on\"\nimmediately = \"yes\"\nstate = \"2\"\niotype = \"flush\"\n"
                + "[set-state]\nevent = \"none\"\nstate = \"1\"\nnew_state = \"2\"\n");
        assertThat(r.injectErrors()).containsExactly(new Rule.InjectError(Event.WRITE_AIO, 2,
                IoType.FLUSH.bit(), Errno.ENOSPC, 8, true, true));
        assertThat(r.setStates()).containsExactly(new Rule.SetState(Event.NONE, 1, 2));
    }

    @Test
    void rulesKeepDefinitionOrder() throws Exception {
        ConfigFile.Rules r = parse("[inject-error]\nevent = \"read_aio\"\nerrno = \"1\"\n"
                + "[set-state]\nevent = \"read_aio\"\nnew_state = \"3\"\n"
                + "[inject-error \"b\"]\nevent = \"read_aio\"\nerrno = \"2\"\n");
        assertThat(r.injectErrors()).extracting(Rule.InjectError::errno).containsExactly(1, 2);
    }

    @Test
    void unknownEventIsInvalidParameterValue() {
        assertError("[inject-error]\nevent = \"bogus\"\n", "invalid parameter value: bogus");
        assertError("[inject-error]\nevent = \"pwritev_rmw.head\"\n", "invalid parameter value: pwritev_rmw.head");
    }

    @Test
    void unquotedValueBecomesEmptyAndFailsAsInvalidEvent() {
        // sscanf(" %63s = \"%1023[^\"]\""): key matched, value did not, so the value is "".
        assertError("[inject-error]\nevent = bogus\n", "invalid parameter value: ");
        assertError("[inject-error]\nevent = 'read_aio'\n", "invalid parameter value: ");
    }

    @Test
    void keyWithoutSpacesSwallowsTheWholeToken() {
        assertError("[inject-error]\nevent=\"read_aio\"\n", "Invalid parameter 'event=\"read_aio\"'");
    }

    @Test
    void indentedHashIsAKey() {
        assertError("[inject-error]\n  # x\n", "Invalid parameter '#'");
    }

    @Test
    void whitespaceOnlyLineIsParseError() {
        assertError("[inject-error]\n   \n", "parse error");
        assertError("[inject-error]\r\nevent = \"read_aio\"\r\n\r\n", "parse error");
    }

    @Test
    void crlfLinesAndMissingFinalNewlineAreFine() throws Exception {
        assertThat(parse("[inject-error]\r\nevent = \"read_aio\"\r\n").injectErrors()).hasSize(1);
        assertThat(parse("[inject-error]\nevent = \"read_aio\"").injectErrors()).hasSize(1);
    }

    @Test
    void textAfterClosingQuoteIsIgnored() throws Exception {
        assertThat(parse("[inject-error]\nevent = \"read_aio\" trailing\n").injectErrors()).hasSize(1);
    }

    @Test
    void unclosedQuoteKeepsTheNewline() {
        assertError("[inject-error]\nevent = \"read_aio\n", "invalid parameter value: read_aio\n");
    }

    @Test
    void groupNamesAreTakenLiterally() {
        assertError("[foo]\n", "There is no option group 'foo'");
        assertError("[ inject-error ]\n", "There is no option group ' inject-error '");
        assertError("[inject-error\n", "There is no option group 'inject-error\n'");
        assertError("[inject-error \"\"]\n", "There is no option group 'inject-error \"\"'");
        assertError(READ_AIO + "[include \"x\"]\n", "There is no option group 'include'");
    }

    @Test
    void failedGroupLineOverwritesTheLastGroupName() {
        // "[]" is parsed as a key, but sscanf's %63s already left "]" in QEMU's group buffer.
        assertError(READ_AIO + "[]\n", "There is no option group ']'");
    }

    @Test
    void keyBeforeAnyGroupIsNoGroupDefined() {
        assertError("event = \"x\"\n", "no group defined");
        assertError("[]\n", "no group defined");
    }

    @Test
    void sectionWithoutEventIsMissingEventName() {
        assertError("[inject-error]\n", "Missing event name for rule");
        assertError("[set-state]\nevent = \"read_aio\"\n[inject-error\"a\"]\n",
                "There is no option group 'inject-error\"a\"'");
    }

    @Test
    void duplicateIdsAreRejectedWhetherFromHeaderOrKey() {
        assertError("[inject-error \"a\"]\nevent = \"read_aio\"\n[inject-error \"a\"]\nevent = \"read_aio\"\n",
                "Duplicate ID 'a' for inject-error");
        assertError("[inject-error]\nid = \"a\"\nevent = \"read_aio\"\n[inject-error]\nid=\"x\"\nid = \"a\"\n",
                "Duplicate ID 'a' for inject-error");
    }

    @Test
    void idsMayRepeatAcrossLists() throws Exception {
        assertThat(parse("[inject-error \"a\"]\nevent = \"read_aio\"\n[set-state \"a\"]\nevent = \"read_aio\"\n")
                .setStates()).hasSize(1);
    }

    @Test
    void malformedIdGetsQemuHint() {
        assertError("[inject-error \"1a\"]\nevent = \"read_aio\"\n", "Parameter 'id' expects an identifier\n"
                + "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.");
    }

    @Test
    void parseErrorLaterInTheSameGroupWinsOverItsBadKey() {
        // The group is checked only when the next group starts or the file ends.
        assertError("[inject-error]\nbogus = \"x\"\n  \n", "parse error");
        assertError("[inject-error]\nbogus = \"x\"\n[set-state]\n  \n", "Invalid parameter 'bogus'");
    }

    @Test
    void keysOfTheOtherSectionAreInvalid() {
        assertError("[set-state]\nevent = \"read_aio\"\nerrno = \"1\"\n", "Invalid parameter 'errno'");
        assertError(READ_AIO + "new_state = \"1\"\n", "Invalid parameter 'new_state'");
    }

    @Test
    void firstBadOptionFollowsQemuHashOrder() {
        // QDict order, not file order: iotype (bucket 8) is a string, immediately (101) is first to fail.
        assertError("[inject-error]\nerrno = \"x\"\nonce = \"x\"\nsector = \"x\"\nstate=\"1\"\n"
                + "immediately = \"q\"\niotype = \"q\"\nevent = \"q\"\n", "Parameter 'immediately' expects 'on' or 'off'");
        assertError(READ_AIO + "errno = \"x\"\nonce = \"x\"\n", "Parameter 'once' expects 'on' or 'off'");
    }

    @Test
    void numbersAreParsedLikeStrtoull() throws Exception {
        assertThat(errno("0x1c")).isEqualTo(28);
        assertThat(errno("0X1C")).isEqualTo(28);
        assertThat(errno("034")).isEqualTo(28);
        assertThat(errno(" +28")).isEqualTo(28);
        assertThat(errno("\t5")).isEqualTo(5);
        assertThat(errno("-18446744073709551615")).isEqualTo(1);
        assertThat(errno("4294967301")).isEqualTo(5); // truncated to int
        assertThat(errno("-5")).isEqualTo(-5);
    }

    private static int errno(String value) throws OpenException {
        return parse(READ_AIO + "errno = \"" + value + "\"\n").injectErrors().get(0).errno();
    }

    @Test
    void negativeSectorAndStateWrap() throws Exception {
        Rule.InjectError r = parse(READ_AIO + "sector = \"-2\"\nstate = \"-1\"\n").injectErrors().get(0);
        assertThat(r.sector()).isEqualTo(-2);
        assertThat(r.state()).isEqualTo(-1);
        assertThat(parse(READ_AIO + "sector = \"18446744073709551615\"\n").injectErrors().get(0).sector()).isEqualTo(-1);
    }

    @Test
    void badNumbersAreRejected() {
        for (String v : new String[] {"1k", "28 ", "0x", "09", "0x1g", ""}) {
            assertError(READ_AIO + "errno = \"" + v + "\"\n", "Parameter 'errno' expects a number");
        }
        assertError(READ_AIO + "errno = \"-99999999999999999999\"\n",
                "Value '-99999999999999999999' is too large for parameter 'errno'");
        assertError(READ_AIO + "sector = \"99999999999999999999999\"\n",
                "Value '99999999999999999999999' is too large for parameter 'sector'");
        assertError("[set-state]\nevent = \"read_aio\"\nnew_state = \"x\"\nstate = \"y\"\n",
                "Parameter 'new_state' expects a number");
    }

    @Test
    void boolsAreLowerCaseWordsOnly() throws Exception {
        Rule.InjectError r = parse(READ_AIO + "once = \"yes\"\nimmediately = \"n\"\n").injectErrors().get(0);
        assertThat(r.once()).isTrue();
        assertThat(r.immediately()).isFalse();
        for (String v : new String[] {"1", "ON", "maybe", ""}) {
            assertError(READ_AIO + "once = \"" + v + "\"\n", "Parameter 'once' expects 'on' or 'off'");
        }
    }

    @Test
    void iotypeNamesOneType() throws Exception {
        assertThat(parse(READ_AIO + "iotype = \"block-status\"\n").injectErrors().get(0).iotypeMask())
                .isEqualTo(IoType.BLOCK_STATUS.bit());
        assertError(READ_AIO + "iotype = \"Read\"\n", "invalid parameter value: Read");
        assertError(READ_AIO + "iotype = \"\"\n", "invalid parameter value: ");
    }

    @Test
    void duplicateKeyLastWins() throws Exception {
        assertThat(parse(READ_AIO + "errno = \"1\"\nerrno = \"2\"\n").injectErrors().get(0).errno()).isEqualTo(2);
    }

    @Test
    void longKeysAreCutAt63Bytes() {
        assertError("[inject-error]\n" + "k".repeat(70) + " = \"x\"\n", "Invalid parameter '" + "k".repeat(63) + "'");
    }

    @Test
    void linesLongerThan1023BytesAreSplit() {
        // fgets(line, 1024): 1022 blanks + "e" form one line (key "e"), the rest another.
        assertError("[inject-error]\n" + " ".repeat(1022) + "event = \"read_aio\"\n", "Invalid parameter 'e'");
        // 1023 blanks form a line of blanks only.
        assertError("[inject-error]\n" + " ".repeat(1023) + "event = \"read_aio\"\n", "parse error");
    }

    @Test
    void textAfterA1023ByteCommentIsALineOfItsOwn() throws Exception {
        // qemu-io 7.2 accepts this file and the rule fails reads.
        assertThat(parse("[inject-error]\n" + "#".repeat(1023) + "event = \"read_aio\"\n").injectErrors())
                .containsExactly(Rule.InjectError.of(Event.READ_AIO));
    }

    @Test
    void nulEndsTheLineForSscanf() {
        assertError("[inject-error]\n\0event = \"read_aio\"\n", "parse error");
    }

    @Test
    void emptyFileHasNoRules() throws Exception {
        assertThat(parse("").injectErrors()).isEmpty();
        assertThat(parse("\n#only a comment\n").setStates()).isEmpty();
    }

    @Test
    void missingFileCannotBeRead(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("nonexist").toString()))
                .isInstanceOf(OpenException.class)
                .hasMessage("Could not read blkdebug config file: No such file or directory");
    }

    @Test
    void directoryIsReadError(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigFile.read(dir.toString()))
                .isInstanceOf(OpenException.class).hasMessage("Cannot read config file: Is a directory");
    }

    @Test
    void fileIsReadAsBytes(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.ini");
        Files.writeString(f, "[inject-error]\nevent = \"réad\"\n");
        assertThatThrownBy(() -> ConfigFile.read(f.toString()))
                .isInstanceOf(OpenException.class).hasMessage("invalid parameter value: réad");
        Files.writeString(f, READ_AIO);
        assertThat(ConfigFile.read(f.toString()).injectErrors()).hasSize(1);
    }

    // ---- [custom-event]: ours, QEMU rejects the group (D13) ------------------------------------

    @Test
    void customEventSectionDeclaresAnEventItsRulesMayUseInAnyOrder() throws Exception {
        ConfigFile.Rules r = parse("[set-state]\nevent = \"wal_commit\"\nnew_state = \"2\"\n"
                + "[custom-event]\nname = \"wal_commit\"\n[custom-event \"cp\"]\nname = \"checkpoint\"\n");
        assertThat(r.customEvents()).containsExactly(new CustomEvent("wal_commit"), new CustomEvent("checkpoint"));
        assertThat(r.setStates()).containsExactly(new Rule.SetState(new CustomEvent("wal_commit"), 0, 2));
    }

    @Test
    void ruleOnAnUndeclaredCustomEventIsInvalidParameterValue() {
        assertError("[custom-event]\nname = \"wal_commit\"\n[inject-error]\nevent = \"wal_comit\"\n",
                "invalid parameter value: wal_comit");
    }

    @Test
    void customEventSectionNeedsAValidName() {
        assertError("[custom-event]\n", "Missing name for custom event");
        assertError("[custom-event]\nname = \"write_aio\"\n", "invalid parameter value: write_aio");
        assertError("[custom-event]\nname = \"Wal-Commit\"\n", "invalid parameter value: Wal-Commit");
        assertError("[custom-event]\nevent = \"wal_commit\"\n", "Invalid parameter 'event'");
    }

    @Test
    void configRulesMayUseCustomEventsDeclaredInTheOptions(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("c.ini"), "[inject-error]\nevent = \"wal_commit\"\n");
        assertThat(ConfigFile.read(f.toString(), List.of("wal_commit")).injectErrors())
                .containsExactly(Rule.InjectError.of(new CustomEvent("wal_commit")));
        assertThatThrownBy(() -> ConfigFile.read(f.toString())).hasMessage("invalid parameter value: wal_commit");
    }
}
