package com.example.portal.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.thoughtworks.xstream.XStream;
import java.beans.XMLDecoder;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.net.PasswordAuthentication;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import javax.xml.parsers.DocumentBuilderFactory;
import org.yaml.snakeyaml.Yaml;

public class SecurityConfig {

    private static final String DB_PASSWORD = "Winter2024!"; // arbiter-expect: JAVA-SECRET-001
    private static final String PASSWORD_FIELD = "password";
    private static final String apiKey = System.getenv("API_KEY");
    private String adminPassword = "admin123"; // arbiter-expect: JAVA-SECRET-001

    public Connection open(String url) throws Exception {
        return DriverManager.getConnection(url, "portal", "p0rtal-pass"); // arbiter-expect: JAVA-SECRET-002
    }

    public Connection openSafe(String url) throws Exception {
        return DriverManager.getConnection(url, "portal", System.getenv("DB_PASSWORD"));
    }

    public String jdbcUrl() {
        return "jdbc:mysql://db.internal:3306/portal?user=portal&password=hunter22"; // arbiter-expect: JAVA-SECRET-003
    }

    public PasswordAuthentication proxyAuth() {
        return new PasswordAuthentication("proxy", "pr0xy-secret".toCharArray()); // arbiter-expect: JAVA-SECRET-001
    }

    // ---- TLS
    public void trustEverything() throws Exception {
        TrustManager[] trustAll = new TrustManager[] {
            new X509TrustManager() { // arbiter-expect: JAVA-TLS-002
                public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
                public void checkClientTrusted(X509Certificate[] certs, String authType) { } // arbiter-expect: JAVA-TLS-002
                public void checkServerTrusted(X509Certificate[] certs, String authType) {} // arbiter-expect: JAVA-TLS-002
            }
        };
        SSLContext sc = SSLContext.getInstance("SSLv3"); // arbiter-expect: JAVA-TLS-003
        sc.init(null, trustAll, new java.security.SecureRandom());
        HttpsURLConnection.setDefaultSSLSocketFactory(sc.getSocketFactory());
        HttpsURLConnection.setDefaultHostnameVerifier((hostname, session) -> true); // arbiter-expect: JAVA-TLS-001
    }

    public HostnameVerifier lenientVerifier() {
        return new HostnameVerifier() {
            public boolean verify(String hostname, SSLSession session) { return true; } // arbiter-expect: JAVA-TLS-001
        };
    }

    public SSLContext modernContext() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, null, null);
        return ctx;
    }

    // ---- deserialization
    public Object readSession(InputStream in) throws Exception {
        ObjectInputStream ois = new ObjectInputStream(in);
        return ois.readObject(); // arbiter-expect: JAVA-DESER-001
    }

    public Object readBean(InputStream in) {
        XMLDecoder decoder = new XMLDecoder(in);
        return decoder.readObject(); // arbiter-expect: JAVA-DESER-001
    }

    public Object readXml(String xml) {
        return new XStream().fromXML(xml); // arbiter-expect: JAVA-DESER-002
    }

    public ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.enableDefaultTyping(); // arbiter-expect: JAVA-DESER-003
        return mapper;
    }

    public Object readYaml(String text) {
        Yaml yaml = new Yaml(); // arbiter-expect: JAVA-DESER-004
        return yaml.load(text);
    }

    public Object readFiltered(InputStream in) throws Exception {
        ObjectInputStream ois = new ObjectInputStream(in);
        ois.setObjectInputFilter(java.io.ObjectInputFilter.Config.createFilter("com.example.*;!*")); Object o = ois.readObject();
        return o;
    }

    // ---- XML parsers
    public DocumentBuilderFactory parserFactory() throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance(); // arbiter-expect: JAVA-XXE-001
        return dbf;
    }

    public DocumentBuilderFactory hardenedFactory() throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance(); dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return dbf;
    }
}
