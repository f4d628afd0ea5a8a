package com.example.portal.web;

import java.io.IOException;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

@WebServlet(value = "/reports/run")
public class ReportServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    public void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        doPost(request, response);
    }

    @Override
    public void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        response.setContentType("text/html;charset=UTF-8");

        String param = request.getHeader("X-Report");
        if (param == null) {
            param = "";
        }
        param = java.net.URLDecoder.decode(param, "UTF-8");

        String bar = param;
        if (bar.length() > 64) {
            bar = bar.substring(0, 64);
        }

        String sql = "SELECT * from REPORTS where OWNER='guest' and TITLE='" + bar + "'"; // arbiter-expect: JAVA-SQLI-002
        try {
            java.sql.Statement statement = com.example.portal.db.Db.statement();
            statement.execute(sql, java.sql.Statement.RETURN_GENERATED_KEYS);
            com.example.portal.db.Db.printResults(statement, sql, response);
        } catch (java.sql.SQLException e) {
            response.getWriter().println("Error processing request.");
            return;
        }

        String safeSql = "SELECT * from REPORTS where OWNER=? and TITLE=?";
        try {
            java.sql.PreparedStatement ps = com.example.portal.db.Db.connection().prepareStatement(safeSql);
            ps.setString(1, "guest");
            ps.setString(2, bar);
            ps.execute();
        } catch (java.sql.SQLException e) {
            throw new ServletException(e);
        }

        response.setHeader("X-XSS-Protection", "0");
        response.getWriter().println(bar); // arbiter-expect: JAVA-XSS-002
        response.getWriter().write(bar.toCharArray(), 0, bar.length()); // arbiter-expect: JAVA-XSS-002
        Object[] args = {"a", bar};
        response.getWriter().format(java.util.Locale.US, "Report %1$s for %2$s", args); // arbiter-expect: JAVA-XSS-002
        response.getWriter().println("Report: " + org.owasp.esapi.ESAPI.encoder().encodeForHTML(bar));
        response.getWriter().println(
            "Report generated."
        );
        response.getWriter().print(request.getParameter("title")); // arbiter-expect: JAVA-XSS-001
        response.getWriter().println(bar.length());
        response.getWriter().printf("Title: %s%n", bar); // arbiter-expect: JAVA-XSS-002
        response.getWriter().printf("Rows: %d%n", 3);
    }
}
