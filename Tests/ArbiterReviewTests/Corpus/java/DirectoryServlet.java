package com.example.portal.web;

import java.io.IOException;
import java.net.URL;
import java.util.logging.Logger;
import javax.naming.NamingEnumeration;
import javax.naming.directory.DirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;

@WebServlet(value = "/directory/lookup")
public class DirectoryServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger log = Logger.getLogger(DirectoryServlet.class.getName());

    private DirContext ctx;
    private Document employees;

    @Override
    public void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String user = request.getParameter("user");
        log.info("Directory lookup for " + request.getParameter("user")); // arbiter-expect: JAVA-LOG-001

        try {
            // ---- LDAP
            SearchControls sc = new SearchControls();
            sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
            String filter = "(&(objectclass=person)(uid=" + user + "))"; // arbiter-expect: JAVA-LDAPI-001
            NamingEnumeration<SearchResult> r1 = ctx.search("ou=users,dc=example,dc=com", filter, sc);
            String dn = "uid=" + user + ",ou=users,dc=example,dc=com"; // arbiter-expect: JAVA-LDAPI-001
            NamingEnumeration<SearchResult> r2 = ctx.search("ou=users,dc=example,dc=com",
                "(&(objectclass=person)(uid={0}))", new Object[] {user}, sc);

            // ---- XPath
            XPath xp = XPathFactory.newInstance().newXPath();
            String expression = "/Employees/Employee[@emplid='" + user + "']"; // arbiter-expect: JAVA-XPATHI-001
            String name = xp.evaluate(expression, employees);
            String byName = xp.evaluate("//Employee[contains(name, '" + user + "')]/id", employees); // arbiter-expect: JAVA-XPATHI-001
            String fixed = xp.evaluate("/Employees/Employee[@emplid='1001']/name", employees);

            // ---- trust boundary
            request.getSession().setAttribute("displayName", request.getParameter("display")); // arbiter-expect: JAVA-TRUST-001
            request.getSession().putValue("userid", user); // arbiter-expect: JAVA-TRUST-002
            request.getSession().setAttribute("theme", "dark");
            String cookieName = "rememberMe" + user.length();
            request.getSession().setAttribute(cookieName, Long.toHexString(System.nanoTime()));
            request.getSession().setAttribute(user, "10340"); // arbiter-expect: JAVA-TRUST-002

            // ---- SSRF / redirect
            URL avatar = new URL(request.getParameter("avatarUrl")); // arbiter-expect: JAVA-SSRF-001
            URL api = new URL("https://api.example.com/users/" + java.net.URLEncoder.encode(user, "UTF-8"));
            if ("1".equals(request.getParameter("go"))) {
                response.sendRedirect(request.getParameter("returnTo")); // arbiter-expect: JAVA-REDIRECT-001
                return;
            }
            response.sendRedirect("/directory/home");
            com.example.portal.util.Output.touch(r1, dn, r2, name, byName, fixed, avatar, api);
        } catch (javax.naming.NamingException | javax.xml.xpath.XPathExpressionException e) {
            throw new ServletException(e);
        }
    }
}
