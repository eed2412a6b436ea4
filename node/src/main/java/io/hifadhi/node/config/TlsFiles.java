package io.hifadhi.node.config;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTPS identity from {@code --tls-cert} (PEM certificate chain, leaf first) and
 * {@code --tls-key} (PEM PKCS#8 private key, RSA, EC or Ed25519), as the files certbot and
 * {@code openssl req -x509 -newkey ... -nodes} write them.
 */
public final class TlsFiles {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] NO_PASSWORD = new char[0];

    private TlsFiles() {
    }

    public static SSLContext load(Path certFile, Path keyFile) throws NodeStartException {
        List<Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("hifadhi", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, NO_PASSWORD);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keys.getKeyManagers(), null, null);
            return tls;
        } catch (GeneralSecurityException | IOException e) {
            throw new NodeStartException("cannot use " + certFile + " with " + keyFile + " for TLS: " + e.getMessage()
                    + " (does the key belong to the certificate?)", e);
        }
    }

    private static List<Certificate> certificates(Path file) throws NodeStartException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (read.isEmpty()) {
                throw new NodeStartException("--tls-cert " + file + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)");
            }
            return List.copyOf(read);
        } catch (IOException | GeneralSecurityException e) {
            throw new NodeStartException("--tls-cert " + file + " is not a readable PEM certificate: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file) throws NodeStartException {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new NodeStartException("cannot read --tls-key " + file + ": " + e.getMessage(), e);
        }
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            String hint = pem.contains("ENCRYPTED PRIVATE KEY") ? "it is encrypted; " : "";
            throw new NodeStartException("--tls-key " + file + " is not an unencrypted PEM PKCS#8 key (-----BEGIN PRIVATE KEY-----); "
                    + hint + "convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key-pkcs8.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new NodeStartException("--tls-key " + file + " is a PKCS#8 key of an algorithm this node cannot use (RSA, EC and Ed25519 work)");
    }
}
