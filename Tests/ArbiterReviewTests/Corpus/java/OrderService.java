package com.example.portal.service;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

public class OrderService {

    public boolean isAdmin(String role) {
        return role == "admin"; // arbiter-expect: JAVA-BUG-001
    }

    public boolean isGuest(String role) {
        if ("guest" != role) { // arbiter-expect: JAVA-BUG-001
            return false;
        }
        return "guest".equals(role);
    }

    public boolean hasCustomer(Object customer) {
        return customer.equals(null); // arbiter-expect: JAVA-BUG-002
    }

    public boolean hasCustomerSafe(Object customer) {
        return customer != null && !"".equals(customer.toString());
    }

    public int parseQuantity(String raw) {
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {} // arbiter-expect: JAVA-BUG-003
        return 0;
    }

    public int parseQuantityLogged(String raw) {
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public boolean isUnknown(double price) {
        return price == Double.NaN; // arbiter-expect: JAVA-BUG-004
    }

    public boolean isUnknownSafe(double price) {
        return Double.isNaN(price);
    }

    public BigDecimal tax() {
        BigDecimal rate = new BigDecimal(0.19); // arbiter-expect: JAVA-BUG-005
        BigDecimal exact = new BigDecimal("0.19");
        return rate.add(exact).add(BigDecimal.valueOf(0.01));
    }

    public void reload(Map<String, Object> cache) {
        try {
            cache.clear();
        } catch (Throwable t) { // arbiter-expect: JAVA-QUAL-002
            t.printStackTrace(); // arbiter-expect: JAVA-QUAL-001
        }
    }

    public Integer boxed(int value) {
        Integer old = new Integer(value); // arbiter-expect: JAVA-PERF-001
        Integer cached = Integer.valueOf(value);
        return old + cached;
    }

    public String label(List<String> parts) {
        String prefix = new String("order-"); // arbiter-expect: JAVA-PERF-002
        String text = new String(parts.get(0).getBytes());
        return prefix + text;
    }

    public void compact() {
        System.gc(); // arbiter-expect: JAVA-PERF-003
    }

    public String describe(String status) {
        // comparing with == "x" is wrong; see isAdmin
        String note = "use equals() instead of == for strings";
        return status.isEmpty() ? note : status;
    }
}
