package com.example.portal.util;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

public final class Checksums {

    private Checksums() {}

    /** Cache validator for static assets; collisions do not matter here. */
    public static MessageDigest etagDigest() throws NoSuchAlgorithmException {
        // arbiter:ignore JAVA-CRYPTO-001 ETag only, no security decision depends on it
        return MessageDigest.getInstance("MD5");
    }

    public static MessageDigest signatureDigest() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("MD5"); // arbiter-expect: JAVA-CRYPTO-001
    }
}
