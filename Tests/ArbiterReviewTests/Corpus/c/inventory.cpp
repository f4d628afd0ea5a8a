#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <sqlite3.h>

namespace inventory {

struct Item {
    std::string sku;
    int quantity;
};

class Repository {
public:
    explicit Repository(sqlite3 *db) : db_(db) {}

    // Vulnerable: SQL concatenated from input.
    std::vector<Item> find(const std::string &sku) {
        std::string sql = "SELECT sku, quantity FROM items WHERE sku = '" + sku + "'";  // arbiter-expect: C-SQLI-001
        std::vector<Item> out;
        sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);  // arbiter-expect: C-SQLI-002
        return out;
    }

    void archive(const std::string &sku) {
        std::ostringstream q;
        q << "DELETE FROM items WHERE sku = '" << sku << "'";  // arbiter-expect: C-SQLI-001
        sqlite3_exec(db_, q.str().c_str(), nullptr, nullptr, nullptr);  // arbiter-expect: C-SQLI-002
    }

    void remove(int id) {
        sqlite3_stmt *stmt = nullptr;
        sqlite3_prepare_v2(db_, "DELETE FROM items WHERE id = ?", -1, &stmt, nullptr);
        sqlite3_bind_int(stmt, 1, id);
        sqlite3_step(stmt);
        sqlite3_finalize(stmt);
    }

private:
    sqlite3 *db_;
};

// Performance: containers taken by value are copied on each call.
int total(std::vector<Item> items) {  // arbiter-expect: CPP-PERF-001
    int sum = 0;
    for (const auto &item : items)
        sum += item.quantity;
    return sum;
}

bool has_sku(const std::map<std::string, int> index, std::string sku) {  // arbiter-expect: CPP-PERF-001
    return index.count(sku) > 0;
}

class Label {
public:
    explicit Label(std::string text) : text_(std::move(text)) {}
    const std::string &text() const { return text_; }

private:
    std::string text_;
};

int total_by_ref(const std::vector<Item> &items, const std::string &sku) {
    int sum = 0;
    for (const auto &item : items)
        if (item.sku == sku)
            sum += item.quantity;
    return sum;
}

// Legacy code paths.
void legacy_owner() {
    std::auto_ptr<Item> item(new Item{"A-1", 3});  // arbiter-expect: CPP-DEPR-001
    std::unique_ptr<Item> modern = std::make_unique<Item>(Item{"A-2", 1});
    std::cout << item->sku << modern->sku << std::endl;
}

uint32_t checksum(const Item &item) {
    const auto *bytes = reinterpret_cast<const unsigned char *>(item.sku.data());  // arbiter-expect: CPP-CAST-001
    uint32_t sum = 0;
    for (size_t i = 0; i < item.sku.size(); ++i)
        sum += bytes[i];
    return sum + static_cast<uint32_t>(item.quantity);
}

uint32_t raw_bits(float value) {
    // arbiter:ignore CPP-CAST-001 float bits read for the wire format, sizes checked below
    const auto *bits = reinterpret_cast<const uint32_t *>(&value);
    static_assert(sizeof(float) == sizeof(uint32_t), "unexpected float size");
    return *bits;
}

void export_csv(const std::string &path) {
    std::string cmd = "cp inventory.csv " + path;
    std::system(cmd.c_str());  // arbiter-expect: C-CMDI-001
    std::system("sync");
}

int pick_slot() {
    return std::rand() % 16;  // arbiter-expect: C-RAND-001
}

void reload(Repository &repo) {
    try {
        repo.find("A-1");
    } catch (std::exception e) {  // arbiter-expect: CPP-EXC-002
        std::cerr << e.what() << std::endl;
    }
    try {
        repo.remove(1);
    } catch (...) {}  // arbiter-expect: CPP-EXC-001
    try {
        repo.remove(2);
    } catch (const std::runtime_error &e) {
        std::cerr << "remove failed: " << e.what() << std::endl;
    } catch (...) {
        std::cerr << "unknown failure" << std::endl;
        throw;
    }
}

void print_banner(const std::string &name) {
    std::printf("%s\n", name.c_str());
    std::printf(name.c_str());  // arbiter-expect: C-FMT-001
}

}  // namespace inventory
