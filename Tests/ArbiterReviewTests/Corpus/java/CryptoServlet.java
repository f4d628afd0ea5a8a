package com.example.portal.web;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.commons.codec.digest.DigestUtils;

@WebServlet(value = "/account/secure")
public class CryptoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    public void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String secretValue = request.getParameter("value");
        if (secretValue == null) secretValue = "";

        try {
            // ---- hashing
            MessageDigest md5 = MessageDigest.getInstance("MD5"); // arbiter-expect: JAVA-CRYPTO-001
            MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA1", "SUN"); // arbiter-expect: JAVA-CRYPTO-001
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            String legacy = DigestUtils.md5Hex(secretValue); // arbiter-expect: JAVA-CRYPTO-001
            String modern = DigestUtils.sha256Hex(secretValue);

            // ---- ciphers
            Cipher des = Cipher.getInstance("DES/CBC/PKCS5PADDING"); // arbiter-expect: JAVA-CRYPTO-002
            SecretKey desKey = KeyGenerator.getInstance("DES").generateKey(); // arbiter-expect: JAVA-CRYPTO-002
            Cipher ecb = javax.crypto.Cipher.getInstance("AES/ECB/PKCS5Padding"); // arbiter-expect: JAVA-CRYPTO-002
            Cipher plainAes = Cipher.getInstance("AES"); // arbiter-expect: JAVA-CRYPTO-002
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            Cipher cbc = Cipher.getInstance("AES/CBC/PKCS5Padding");
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
            SecretKey aesKey = KeyGenerator.getInstance("AES").generateKey();

            java.util.Properties props = new java.util.Properties();
            String algorithm = props.getProperty("cipher.legacy", "DESede/ECB/PKCS5Padding"); // arbiter-expect: JAVA-CRYPTO-003
            String preferred = props.getProperty("cipher.preferred", "AES/GCM/NoPadding");
            SecretKeySpec spec = new SecretKeySpec(new byte[8], "DES"); // arbiter-expect: JAVA-CRYPTO-003
            Cipher configured = Cipher.getInstance(preferred);

            // ---- randomness
            double lucky = new java.util.Random().nextDouble(); // arbiter-expect: JAVA-RAND-001
            int pin = (int) (Math.random() * 10000); // arbiter-expect: JAVA-RAND-001
            Random seeded = new Random(42L); // arbiter-expect: JAVA-RAND-001
            long token = new SecureRandom().nextLong();
            byte[] salt = new byte[16];
            java.security.SecureRandom.getInstanceStrong().nextBytes(salt);

            // ---- cookies
            Cookie remember = new Cookie("rememberMe", Long.toHexString(token));
            remember.setSecure(false); // arbiter-expect: JAVA-COOKIE-001
            remember.setHttpOnly(false); // arbiter-expect: JAVA-COOKIE-002
            response.addCookie(remember);

            Cookie session = new Cookie("session", Long.toHexString(token));
            session.setSecure(true);
            session.setHttpOnly(true);
            response.addCookie(session);

            com.example.portal.util.Output.touch(md5, sha1, sha256, legacy, modern, des, desKey, ecb,
                plainAes, gcm, cbc, rsa, aesKey, algorithm, spec, configured, lucky, pin, seeded, salt);
        } catch (NoSuchAlgorithmException | javax.crypto.NoSuchPaddingException | java.security.NoSuchProviderException e) {
            throw new ServletException(e);
        }
        response.getWriter().println("Crypto test executed");
    }
}
