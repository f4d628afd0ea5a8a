"""Directory lookups and XML import for the HR integration."""
import ldap
from ldap.filter import escape_filter_chars, filter_format
from lxml import etree
import xml.sax
from xml.sax.handler import feature_external_ges

import defusedxml.ElementTree as SafeET

BASE_DN = "ou=people,dc=example,dc=com"


def find_user(conn, username):
    search_filter = f"(uid={username})"  # arbiter-expect: PY-LDAP-001
    return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, search_filter)


def find_member(conn, group, user):
    flt = "(&(objectClass=groupOfNames)(cn=" + group + "))"  # arbiter-expect: PY-LDAP-001
    return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, flt)


def find_by_mail(conn, mail):
    return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, "(mail=%s)" % mail)  # arbiter-expect: PY-LDAP-001


def parse_feed(data):
    parser = etree.XMLParser(resolve_entities=True)  # arbiter-expect: PY-XXE-001
    return etree.fromstring(data, parser)


def parse_remote(data):
    parser = etree.XMLParser(no_network=False, load_dtd=True)  # arbiter-expect: PY-XXE-001
    return etree.fromstring(data, parser)


def sax_import(stream, handler):
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)  # arbiter-expect: PY-XXE-001
    parser.setContentHandler(handler)
    parser.parse(stream)


def employee_node(tree, name):
    return tree.xpath(f"//employee[@name='{name}']")  # arbiter-expect: PY-XPATH-001


def employee_dept(tree, dept):
    return tree.xpath("//employee[@dept='" + dept + "']")  # arbiter-expect: PY-XPATH-001


def employee_find(root, emp_id):
    return root.find(f".//employee[@id='{emp_id}']")  # arbiter-expect: PY-XPATH-001


# ---------------------------------------------------------------- safe look-alikes

def find_user_safe(conn, username):
    search_filter = "(uid=%s)" % escape_filter_chars(username)
    return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, search_filter)


def find_member_safe(conn, group):
    flt = filter_format("(&(objectClass=groupOfNames)(cn=%s))", [group])
    return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, flt)


def all_people(conn):
    return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, "(objectClass=person)")


def parse_feed_safe(data):
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def parse_defused(data):
    return SafeET.fromstring(data)


def employee_node_safe(tree, name):
    return tree.xpath("//employee[@name=$name]", name=name)


def describe(count):
    label = f"(total={count})"
    return label
