package com.example.portal.web;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

@WebServlet(value = "/tools/ping")
public class CommandServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    public void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String host = request.getParameter("host");
        if (host == null) host = "localhost";

        Runtime r = Runtime.getRuntime();
        Process p1 = r.exec("ping -c 1 " + host); // arbiter-expect: JAVA-CMDI-001

        String[] cmd = {"/bin/sh", "-c", "nslookup " + host};
        Process p2 = r.exec(cmd); // arbiter-expect: JAVA-CMDI-001

        String[] env = {"TARGET=" + host};
        Process p3 = Runtime.getRuntime().exec(new String[] {"ping", "-c", "1"}, env); // arbiter-expect: JAVA-CMDI-001

        List<String> argList = new ArrayList<String>();
        String osName = System.getProperty("os.name");
        if (osName.indexOf("Windows") != -1) {
            argList.add("cmd.exe");
            argList.add("/c");
        } else {
            argList.add("sh");
            argList.add("-c");
        }
        argList.add("echo " + host); // arbiter-expect: JAVA-CMDI-002
        ProcessBuilder pb = new ProcessBuilder();
        pb.command(argList); // arbiter-expect: JAVA-CMDI-002
        Process p4 = pb.start();

        Process p5 = new ProcessBuilder("sh", "-c", "traceroute " + host).start(); // arbiter-expect: JAVA-CMDI-002

        // Safe: constant commands and fixed argument lists.
        Process uptime = Runtime.getRuntime().exec("uptime");
        Process listing = new ProcessBuilder("ls", "-la", "/var/log").start();
        ProcessBuilder empty = new ProcessBuilder();
        empty.command("df", "-h");
        List<String> labels = new ArrayList<String>();
        labels.add("host: " + host);

        com.example.portal.util.Output.print(p1, p2, p3, p4, p5, uptime, listing, response);
        response.getWriter().println("Ping executed");
    }
}
