package io.hifadhi.api.s3;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** AccessControlPolicy documents and the stored form (pure logic; the HTTP behaviour is in node's S3AccessControlTest). */
class AccessControlListTest {
    private static final Owner OWNER = Owner.of("ROOTKEY");

    private static AccessControlList parse(int userGrants) throws Exception {
        StringBuilder doc = new StringBuilder("<AccessControlPolicy><Owner><ID>" + OWNER.id() + "</ID></Owner><AccessControlList>"
                + "<Grant><Grantee><URI>" + AccessControlList.AUTHENTICATED_USERS_URI + "</URI></Grantee>"
                + "<Permission>READ</Permission></Grant>");
        for (int i = 1; i < userGrants; i++) {
            doc.append("<Grant><Grantee><ID>KEY").append(i).append("</ID></Grantee><Permission>READ_ACP</Permission></Grant>");
        }
        doc.append("</AccessControlList></AccessControlPolicy>");
        return AccessControlList.fromXml(new XmlReader(1 << 20, 10_000).parse(doc.toString().getBytes(StandardCharsets.UTF_8)),
                OWNER, "ROOTKEY");
    }

    @Test
    void documentsRoundTripThroughTheStoredFormUpToOneHundredGrants() throws Exception {
        AccessControlList acl = parse(100);
        assertEquals(100, acl.entries().size());
        assertEquals(acl, AccessControlList.decode(acl.encode()));
        assertEquals(List.of("AuthenticatedUsers READ", "KEY1 READ_ACP"), List.copyOf(acl.describe()).subList(0, 2));
        assertEquals("MalformedACLError", assertThrows(S3Exception.class, () -> parse(101)).code());
    }
}
