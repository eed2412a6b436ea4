package io.hifadhi.api.s3;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LifecycleConfigurationTest {
    private static final long DAY = 86_400_000L;
    private static final Map<String, String> NONE = Map.of();
    private final XmlReader reader = new XmlReader(256 * 1024, 20_000);

    private LifecycleConfiguration parse(String xml) throws S3Exception {
        return LifecycleConfiguration.parse(reader.parse(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static String doc(String... rules) {
        return "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + String.join("", rules)
                + "</LifecycleConfiguration>";
    }

    private static String rule(String id, String status, String filter, String actions) {
        return "<Rule>" + (id == null ? "" : "<ID>" + id + "</ID>") + filter + "<Status>" + status + "</Status>" + actions + "</Rule>";
    }

    private static String days(int d) {
        return "<Expiration><Days>" + d + "</Days></Expiration>";
    }

    private S3Error refusal(String xml) {
        return S3Error.valueOf(assertThrows(S3Exception.class, () -> parse(xml)).code());
    }

    @Test
    void expiresByDaysFromLastModificationOnlyWhatTheFilterCovers() throws Exception {
        LifecycleConfiguration c = parse(doc(rule("logs", "Enabled", "<Filter><Prefix>logs/</Prefix></Filter>", days(2))));
        long written = 1_000_000;
        assertFalse(c.expires("logs/a", 10, NONE, written, written + 2 * DAY - 1, DAY));
        assertTrue(c.expires("logs/a", 10, NONE, written, written + 2 * DAY, DAY));
        assertFalse(c.expires("data/a", 10, NONE, written, written + 30 * DAY, DAY), "outside the prefix");
        assertFalse(c.aborts("logs/a", written, written + 30 * DAY, DAY), "no abort action");
    }

    @Test
    void aDateRuleExpiresFromThatMidnightOn() throws Exception {
        LifecycleConfiguration c = parse(doc(rule(null, "Enabled", "<Filter></Filter>",
                "<Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>")));
        long date = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();
        assertFalse(c.expires("any", 1, NONE, date - 1, date - 1, DAY));
        assertTrue(c.expires("any", 1, NONE, date - 1, date, DAY));
        assertTrue(c.expires("written/after", 1, NONE, date + 5, date + 10, DAY), "a date rule ignores the object's age");
    }

    @Test
    void aDisabledRuleDoesNothing() throws Exception {
        LifecycleConfiguration c = parse(doc(rule("off", "Disabled", "<Prefix></Prefix>",
                days(1) + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>")));
        assertFalse(c.expires("k", 1, NONE, 0, 100 * DAY, DAY));
        assertFalse(c.aborts("k", 0, 100 * DAY, DAY));
        assertFalse(c.abortsUploads());
    }

    @Test
    void abortsUploadsByPrefixAfterTheirDays() throws Exception {
        LifecycleConfiguration c = parse(doc(rule("up", "Enabled", "<Filter><Prefix>tmp/</Prefix></Filter>",
                "<AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload>")));
        assertTrue(c.abortsUploads());
        assertFalse(c.aborts("tmp/x", 0, 3 * DAY - 1, DAY));
        assertTrue(c.aborts("tmp/x", 0, 3 * DAY, DAY));
        assertFalse(c.aborts("keep/x", 0, 30 * DAY, DAY));
        assertFalse(c.expires("tmp/x", 1, NONE, 0, 30 * DAY, DAY), "no expiration action");
    }

    @Test
    void sizeConditionsAloneAndCombinedWithAPrefix() throws Exception {
        LifecycleConfiguration c = parse(doc(
                rule("big", "Enabled", "<Filter><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></Filter>", days(1)),
                rule("mid", "Enabled", "<Filter><And><Prefix>m/</Prefix><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan>"
                        + "<ObjectSizeLessThan>20</ObjectSizeLessThan></And></Filter>", days(1))));
        assertTrue(c.expires("x", 101, NONE, 0, DAY, DAY));
        assertFalse(c.expires("x", 100, NONE, 0, DAY, DAY));
        assertTrue(c.expires("m/x", 15, NONE, 0, DAY, DAY));
        assertFalse(c.expires("m/x", 20, NONE, 0, DAY, DAY));
        assertFalse(c.expires("n/x", 15, NONE, 0, DAY, DAY));
    }

    @Test
    void tagFiltersMatchObjectsHoldingEveryTagAlongsideThePrefixAndSize() throws Exception {
        LifecycleConfiguration c = parse(doc(
                rule("temp", "Enabled", "<Filter><Tag><Key>class</Key><Value>temp</Value></Tag></Filter>", days(1)),
                rule("logs", "Enabled", "<Filter><And><Prefix>logs/</Prefix><Tag><Key>team</Key><Value>ops</Value></Tag>"
                        + "<Tag><Key>keep</Key><Value>no</Value></Tag><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan></And></Filter>",
                        days(1))));
        assertTrue(c.expires("any", 1, Map.of("class", "temp", "x", "y"), 0, DAY, DAY));
        assertFalse(c.expires("any", 1, Map.of("class", "Temp"), 0, DAY, DAY), "values compare exactly");
        assertFalse(c.expires("any", 1, NONE, 0, DAY, DAY), "untagged");
        assertFalse(c.expires("any", 1, Map.of("class", "temp"), 0, DAY - 1, DAY), "not old enough");
        Map<String, String> both = Map.of("team", "ops", "keep", "no");
        assertTrue(c.expires("logs/a", 6, both, 0, DAY, DAY));
        assertFalse(c.expires("logs/a", 6, Map.of("team", "ops"), 0, DAY, DAY), "every tag of And must be there");
        assertFalse(c.expires("data/a", 6, both, 0, DAY, DAY), "outside the prefix");
        assertFalse(c.expires("logs/a", 5, both, 0, DAY, DAY), "too small");
        String xml = c.toXml();
        assertEquals(c, parse(xml));
        assertTrue(xml.contains("<Filter><Tag><Key>class</Key><Value>temp</Value></Tag></Filter>"), xml);
    }

    @Test
    void roundTripsThroughItsOwnXmlInTheFormItWasSent() throws Exception {
        String sent = doc(
                rule("legacy", "Enabled", "<Prefix>old/</Prefix>", days(7)),
                rule("filter", "Disabled", "<Filter><Prefix>new/</Prefix></Filter>",
                        "<Expiration><Date>2031-06-01T00:00:00Z</Date></Expiration>"),
                rule("and", "Enabled", "<Filter><And><Prefix>a/</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter>",
                        days(3)),
                rule("all", "Enabled", "<Filter/>", days(1)));
        LifecycleConfiguration c = parse(sent);
        String xml = c.toXml();
        assertEquals(c, parse(xml));
        assertTrue(xml.contains("<Rule><ID>legacy</ID><Prefix>old/</Prefix>"), xml);
        assertTrue(xml.contains("<Filter><Prefix>new/</Prefix></Filter>"), xml);
        assertTrue(xml.contains("<Date>2031-06-01T00:00:00Z</Date>"), xml);
        assertTrue(xml.contains("<Filter><And><Prefix>a/</Prefix><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter>"), xml);
    }

    @Test
    void aRuleWithoutAnIdIsGivenOne() throws Exception {
        LifecycleConfiguration c = parse(doc(rule(null, "Enabled", "<Filter/>", days(1))));
        assertFalse(c.rules().get(0).id().isEmpty());
    }

    @Test
    void refusesWhatS3Refuses() {
        assertEquals(S3Error.MalformedXML, refusal("<CORSConfiguration/>"), "wrong root");
        assertEquals(S3Error.MalformedXML, refusal(doc()), "no rule");
        assertEquals(S3Error.MalformedXML, refusal(doc(rule("a", "On", "<Filter/>", days(1)))), "bad status");
        assertEquals(S3Error.MalformedXML, refusal(doc("<Rule><ID>a</ID><Filter/>" + days(1) + "</Rule>")), "no status");
        assertEquals(S3Error.MalformedXML, refusal(doc(rule("a", "Enabled", "", days(1)))), "neither Filter nor Prefix");
        assertEquals(S3Error.MalformedXML, refusal(doc(rule("a", "Enabled", "<Prefix/><Filter/>", days(1)))), "both");
        assertEquals(S3Error.MalformedXML, refusal(doc(rule("a", "Enabled",
                "<Filter><Prefix>x</Prefix><ObjectSizeLessThan>3</ObjectSizeLessThan></Filter>", days(1)))), "two conditions without And");
        assertEquals(S3Error.MalformedXML, refusal(doc(rule("a", "Enabled", "<Filter/>", days(1) + "<Colour>red</Colour>"))),
                "unknown element");
        assertEquals(S3Error.MalformedXML, refusal(doc(rule("a", "Enabled", "<Filter/>",
                "<Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration>"))), "Days and Date");
        assertEquals(S3Error.InvalidArgument, refusal(doc(rule("a", "Enabled", "<Filter/>", days(0)))), "Days 0");
        assertEquals(S3Error.InvalidArgument, refusal(doc(rule("a", "Enabled", "<Filter/>",
                "<Expiration><Days>ten</Days></Expiration>"))), "Days not a number");
        assertEquals(S3Error.InvalidArgument, refusal(doc(rule("a", "Enabled", "<Filter/>",
                "<Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration>"))), "Date not at midnight");
        assertEquals(S3Error.InvalidArgument, refusal(doc(rule("a", "Enabled", "<Filter/>",
                "<Expiration><Date>soon</Date></Expiration>"))), "Date not a date");
        assertEquals(S3Error.InvalidArgument, refusal(doc(rule("a", "Enabled", "<Filter/>",
                "<AbortIncompleteMultipartUpload><DaysAfterInitiation>-1</DaysAfterInitiation></AbortIncompleteMultipartUpload>"))));
        assertEquals(S3Error.InvalidArgument, refusal(doc(rule("same", "Enabled", "<Filter/>", days(1)),
                rule("same", "Enabled", "<Filter/>", days(2)))), "duplicate ID");
        assertEquals(S3Error.InvalidArgument, refusal(doc(rule("x".repeat(256), "Enabled", "<Filter/>", days(1)))), "long ID");
        assertEquals(S3Error.InvalidRequest, refusal(doc(rule("a", "Enabled", "<Filter/>", ""))), "no action");
        assertEquals(S3Error.InvalidRequest, refusal(doc(rule("a", "Enabled",
                "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>",
                "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>"))),
                "an upload has no tags to filter by");
        assertEquals(S3Error.InvalidRequest, refusal(doc(rule("a", "Enabled",
                "<Filter><And><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k</Key><Value>w</Value></Tag></And></Filter>",
                days(1)))), "duplicate tag key");
        assertEquals(S3Error.InvalidTag, refusal(doc(rule("a", "Enabled",
                "<Filter><Tag><Key>k#</Key><Value>v</Value></Tag></Filter>", days(1)))), "character not allowed");
        assertEquals(S3Error.MalformedXML, refusal(doc(rule("a", "Enabled",
                "<Filter><Tag><Key>k</Key></Tag></Filter>", days(1)))), "tag without a value");
        assertEquals(S3Error.NotImplemented, refusal(doc(rule("a", "Enabled", "<Filter/>",
                "<Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition>"))));
    }

    @Test
    void atMostAThousandRules() throws Exception {
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < LifecycleConfiguration.MAX_RULES; i++) {
            rules.append(rule("r" + i, "Enabled", "<Filter><Prefix>p" + i + "/</Prefix></Filter>", days(1)));
        }
        assertEquals(LifecycleConfiguration.MAX_RULES, parse(doc(rules.toString())).rules().size());
        rules.append(rule("one-more", "Enabled", "<Filter/>", days(1)));
        assertEquals(S3Error.MalformedXML, refusal(doc(rules.toString())));
    }
}
