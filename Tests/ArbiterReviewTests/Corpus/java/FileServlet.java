package com.example.portal.web;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.commons.io.FilenameUtils;

@WebServlet(value = "/files/get")
public class FileServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String UPLOAD_DIR = "/srv/portal/uploads/";

    @Override
    public void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        File direct = new File(UPLOAD_DIR + request.getParameter("name")); // arbiter-expect: JAVA-PATH-001
        byte[] data = Files.readAllBytes(Paths.get(UPLOAD_DIR, request.getParameter("doc"))); // arbiter-expect: JAVA-PATH-001

        javax.servlet.http.Cookie[] cookies = request.getCookies();
        String param = "default.txt";
        if (cookies != null) {
            for (javax.servlet.http.Cookie c : cookies) {
                if (c.getName().equals("lastFile")) {
                    param = java.net.URLDecoder.decode(c.getValue(), "UTF-8");
                    break;
                }
            }
        }
        String bar = param.trim();

        java.io.File target = new java.io.File(com.example.portal.Settings.UPLOAD_DIR, bar); // arbiter-expect: JAVA-PATH-002
        FileInputStream fis = new FileInputStream(UPLOAD_DIR + bar); // arbiter-expect: JAVA-PATH-002
        Path nio = java.nio.file.Paths.get(UPLOAD_DIR + "archive/" + bar); // arbiter-expect: JAVA-PATH-002
        File viaUri = new File(new java.net.URI("file:///" + UPLOAD_DIR + bar)); // arbiter-expect: JAVA-PATH-002
        File parent = new File(bar, "/notes.txt"); // arbiter-expect: JAVA-PATH-002
        String fileName = com.example.portal.Settings.UPLOAD_DIR + bar; // arbiter-expect: JAVA-PATH-002
        java.io.FileOutputStream fos = new java.io.FileOutputStream(fileName, false);
        fos.close();

        // Safe look-alikes: constant names, classpath resources, sanitized names.
        File fixed = new File(UPLOAD_DIR, "index.txt");
        File logDir = new File(System.getProperty("java.io.tmpdir"), "portal");
        FileInputStream res = new FileInputStream(getClass().getClassLoader().getResource("employees.xml").getFile());
        File cleaned = new File(UPLOAD_DIR, FilenameUtils.getName(request.getParameter("name")));
        Path safe = Paths.get(UPLOAD_DIR).resolve(Paths.get(bar).getFileName());
        File config = new File(UPLOAD_DIR, "config/app.properties");
        String displayName = "Report for " + bar;
        java.io.FileWriter fw = new java.io.FileWriter(fixed, true);
        fw.close();

        response.getWriter().println("Access to file: '"
            + org.owasp.esapi.ESAPI.encoder().encodeForHTML(target.getName()) + "' granted.");
        fis.close();
        com.example.portal.util.Output.touch(direct, data, nio, viaUri, parent, logDir, res, cleaned, safe, config, displayName);
    }
}
