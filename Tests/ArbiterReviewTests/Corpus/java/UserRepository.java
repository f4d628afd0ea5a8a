package com.example.shop.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.persistence.EntityManager;
import org.springframework.jdbc.core.JdbcTemplate;

public class UserRepository {

    private final Connection connection;
    private final EntityManager em;
    private final JdbcTemplate jdbcTemplate;

    public UserRepository(Connection connection, EntityManager em, JdbcTemplate jdbcTemplate) {
        this.connection = connection;
        this.em = em;
        this.jdbcTemplate = jdbcTemplate;
    }

    // Vulnerable: values concatenated or formatted into the query text.
    public ResultSet findByName(String name) throws SQLException {
        Statement st = connection.createStatement();
        return st.executeQuery("SELECT id, name FROM users WHERE name = '" + name + "'"); // arbiter-expect: JAVA-SQLI-001
    }

    public int deactivate(String email) throws SQLException {
        String sql = "UPDATE users SET active = 0 WHERE email = '" + email + "'"; // arbiter-expect: JAVA-SQLI-002
        try (Statement st = connection.createStatement()) {
            return st.executeUpdate(sql);
        }
    }

    public List<?> search(String term, String sortColumn) {
        String jpql = "SELECT u FROM User u WHERE u.name LIKE '%" + term + "%'" // arbiter-expect: JAVA-SQLI-002
                + " ORDER BY " + sortColumn; // arbiter-expect: JAVA-SQLI-002
        return em.createQuery(jpql).getResultList();
    }

    public List<?> byStatus(String status) {
        return em.createNativeQuery("select * from orders where status = '" + status + "'").getResultList(); // arbiter-expect: JAVA-SQLI-001
    }

    public List<?> byRegion(String region) {
        String sql = String.format("SELECT * FROM stores WHERE region = '%s'", region); // arbiter-expect: JAVA-SQLI-003
        return jdbcTemplate.queryForList(sql);
    }

    public void audit(String user, String action) throws SQLException {
        Statement st = connection.createStatement();
        st.addBatch("INSERT INTO audit (username, action) VALUES ('" + user + "', '" + action + "')"); // arbiter-expect: JAVA-SQLI-001
        st.executeBatch();
    }

    public ResultSet callProc(String arg) throws SQLException {
        String call = "{call refresh_stats(" + arg + ")}"; // arbiter-expect: JAVA-SQLI-002
        return connection.prepareCall(call).executeQuery();
    }

    public Object top(String name) {
        String sql = "SELECT TOP 1 id from USERS where USERNAME='foo' and PASSWORD='" + name + "'"; // arbiter-expect: JAVA-SQLI-002
        return jdbcTemplate.queryForObject(sql, Long.class);
    }

    public List<?> countBy(String column) {
        return jdbcTemplate.queryForList("SELECT " + column + ", COUNT(*) FROM events GROUP BY " + column); // arbiter-expect: JAVA-SQLI-001
    }

    // Safe: bound parameters and constant SQL.
    public ResultSet findByNameSafe(String name) throws SQLException {
        PreparedStatement ps = connection.prepareStatement("SELECT id, name FROM users WHERE name = ?");
        ps.setString(1, name);
        return ps.executeQuery();
    }

    public List<?> searchSafe(String term) {
        return em.createQuery("SELECT u FROM User u WHERE u.name LIKE :term")
                .setParameter("term", "%" + term + "%")
                .getResultList();
    }

    public List<?> byRegionSafe(String region) {
        return jdbcTemplate.queryForList("SELECT * FROM stores WHERE region = ?", region);
    }

    public String describe(String table) {
        String message = "Please select an entry from the list: " + table;
        String count = String.format("Found %d rows in %s", 3, table);
        return message + count;
    }

    public int purgeOld() throws SQLException {
        try (Statement st = connection.createStatement()) {
            return st.executeUpdate("DELETE FROM sessions WHERE expires_at < NOW()");
        }
    }
}
