package org.blkdebug.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.blkdebug.engine.OpenException;
import org.junit.jupiter.api.Test;

/**
 * {@code --object} without qemu-io at hand: each expected text below is what qemu-io 7.2 printed
 * for the same definition (ObjectOptionDifferentialTest compares the two directly where qemu-io
 * is installed).
 */
class UserObjectsTest {
    private static String error(UserObjects objects, String def) {
        try {
            objects.add(def);
        } catch (OpenException e) {
            return e.getMessage();
        }
        throw new AssertionError("created: " + def);
    }

    // QEMU names the first leftover in GLib's hash-table order, not the command line's
    @Test
    void theUnexpectedParameterNamedIsTheFirstInGlibHashOrder() {
        assertThat(error(new UserObjects(), "secret,id=s,data=x,bogus=1,zzz=2,aaa=3"))
                .isEqualTo("Parameter 'zzz' is unexpected");
        assertThat(error(new UserObjects(), "secret,id=s,data=x,aaa=3,zzz=2,bogus=1"))
                .isEqualTo("Parameter 'zzz' is unexpected");
        assertThat(error(new UserObjects(), "secret,id=s,data=x,a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9"))
                .isEqualTo("Parameter 'b' is unexpected");
    }

    @Test
    void keyvalSyntaxErrorsAreQemus() {
        assertThat(error(new UserObjects(), ",")).isEqualTo("Invalid parameter ''");
        assertThat(error(new UserObjects(), "")).isEqualTo("Parameter 'qom-type' is missing");
        assertThat(error(new UserObjects(), "secret,id")).isEqualTo("Expected '=' after parameter 'id'");
        assertThat(error(new UserObjects(), "thread-context,id=s,cpu-affinity.1=1"))
                .isEqualTo("Parameter 'cpu-affinity.0' missing");
        assertThat(error(new UserObjects(), "a.b=1,a=2")).isEqualTo("Parameters 'a.*' used inconsistently");
        assertThat(error(new UserObjects(), "{bad")).isEqualTo("JSON parse error, invalid keyword 'bad'");
    }

    // the enum has every type QEMU knows; qemu-io builds only some of them
    @Test
    void aKnownTypeQemuIoLacksIsAnInvalidObjectType() {
        assertThat(error(new UserObjects(), "KPkfa]")).isEqualTo("Parameter 'qom-type' does not accept value 'KPkfa]'");
        assertThat(error(new UserObjects(), "iothread,id=i")).isEqualTo("invalid object type: iothread");
        assertThat(error(new UserObjects(), "cryptodev-vhost-user,id=a")).isEqualTo("Parameter 'chardev' is missing");
    }

    @Test
    void aSecretIsDecryptedWithTheKeyOfAnEarlierSecret() throws Exception {
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] iv = new byte[16];
        Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        String data = Base64.getEncoder().encodeToString(aes.doFinal("hello".getBytes(StandardCharsets.US_ASCII)));
        UserObjects objects = new UserObjects();
        objects.add("secret,id=k,data=0123456789abcdef0123456789abcdef");
        assertThat(objects.add("secret,id=s,format=base64,keyid=k,iv=AAAAAAAAAAAAAAAAAAAAAA==,data=" + data)).isNull();
        assertThat(objects.lookup("s").secret()).isEqualTo("hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(error(objects, "secret,id=t,data=abcdefghabcdefgh,keyid=k,iv=AAAAAAAAAAAAAAAAAAAAAA=="))
                .isEqualTo("Incorrect number of padding bytes (168) found on decrypted data");
        assertThat(error(objects, "secret,id=t,data=abc,keyid=k")).isEqualTo("IV is required to decrypt secret");
    }

    @Test
    void idsAreUniqueAcrossTypesAndAFailedObjectLeavesNone() throws OpenException {
        UserObjects objects = new UserObjects();
        objects.add("secret,id=s0,data=x");
        assertThat(error(objects, "authz-simple,id=s0,identity=y"))
                .isEqualTo("attempt to add duplicate property 's0' to object (type 'container')");
        assertThat(error(objects, "secret,id=s1")).isEqualTo("Either 'file' or 'data' must be provided");
        assertThat(objects.add("secret,id=s1,data=y")).isNull();
    }

    @Test
    void helpIsQemuIosTextAndUnknownClassesGetTheTypeList() throws OpenException {
        assertThat(new UserObjects().add("secret,help")).isEqualTo("""
                secret options:
                  data=<string>
                  file=<string>
                  format=<QCryptoSecretFormat>
                  iv=<string>
                  keyid=<string>
                """);
        assertThat(new UserObjects().add("container,?")).isEqualTo("There are no options for container.\n");
        assertThat(new UserObjects().add("iothread,help")).startsWith("List of user creatable objects:\n  authz-list\n")
                .endsWith("  tls-creds-x509\n");
    }

    @Test
    void throttleLimitsAreCheckedAsUtilThrottleChecksThem() {
        assertThat(error(new UserObjects(), "throttle-group,id=t,x-iops-total=-1"))
                .isEqualTo("Property values cannot be negative");
        assertThat(error(new UserObjects(), "throttle-group,id=t,x-iops-total-max=1"))
                .isEqualTo("bps_max/iops_max require corresponding bps/iops values");
        assertThatThrownBy(() -> new UserObjects().add("throttle-group,id=t,limits.iops-total=-1"))
                .hasMessage("bps/iops/max values must be within [0, 1000000000000000]");
    }
}
