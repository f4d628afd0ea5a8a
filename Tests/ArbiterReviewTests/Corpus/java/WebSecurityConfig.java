package com.example.portal.config;

import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.servlet.http.HttpServletRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;

@Configuration
public class WebSecurityConfig {

    @Bean
    public SecurityFilterChain api(HttpSecurity http) throws Exception {
        http.securityMatcher("/internal/**").csrf(AbstractHttpConfigurer::disable); // arbiter-expect: JAVA-CSRF-001
        return http.build();
    }

    @Bean
    public SecurityFilterChain legacy(HttpSecurity http) throws Exception {
        http.csrf().disable(); // arbiter-expect: JAVA-CSRF-001
        return http.build();
    }

    @Bean
    public SecurityFilterChain web(HttpSecurity http) throws Exception {
        http.csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse()));
        return http.build();
    }

    public Object price(HttpServletRequest request) {
        ExpressionParser parser = new SpelExpressionParser();
        String formula = request.getParameter("formula");
        Expression expr = parser.parseExpression(formula); // arbiter-expect: JAVA-SPEL-001
        Expression fixed = parser.parseExpression("amount * 1.19");
        return expr.getValue().toString() + fixed.getValue();
    }

    public Object runRule(HttpServletRequest request) throws Exception {
        ScriptEngine engine = new ScriptEngineManager().getEngineByName("javascript");
        Object result = engine.eval("var total = " + request.getParameter("total") + ";"); // arbiter-expect: JAVA-EVAL-001
        engine.put("total", request.getParameter("total"));
        Object safe = engine.eval("total * 2");
        return result + String.valueOf(safe);
    }
}
