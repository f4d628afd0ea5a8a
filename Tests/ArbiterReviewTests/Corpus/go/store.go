package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"gorm.io/gorm"
)

type User struct {
	ID    int64
	Name  string
	Email string
}

type Store struct {
	db  *sql.DB
	dbx *sqlx.DB
	orm *gorm.DB
}

// Vulnerable: values formatted or concatenated into SQL text.
func (s *Store) FindByName(ctx context.Context, name string) (*User, error) {
	row := s.db.QueryRowContext(ctx, fmt.Sprintf("SELECT id, name, email FROM users WHERE name = '%s'", name)) // arbiter-expect: GO-SQLI-001
	var u User
	if err := row.Scan(&u.ID, &u.Name, &u.Email); err != nil {
		return nil, err
	}
	return &u, nil
}

func (s *Store) DeleteByEmail(email string) error {
	_, err := s.db.Exec("DELETE FROM users WHERE email = '" + email + "'") // arbiter-expect: GO-SQLI-002
	return err
}

func (s *Store) Search(term, sortCol string) ([]User, error) {
	query := fmt.Sprintf("SELECT id, name FROM users WHERE name LIKE '%%%s%%' ORDER BY %s", term, sortCol) // arbiter-expect: GO-SQLI-003
	rows, err := s.db.Query(query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		rows.Scan(&u.ID, &u.Name) // arbiter-expect: GO-ERR-002
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s *Store) ByStatus(status string) ([]User, error) {
	var users []User
	err := s.orm.Where("status = '" + status + "'").Find(&users).Error // arbiter-expect: GO-SQLI-002
	return users, err
}

func (s *Store) Rename(id, name string) error {
	stmt := "UPDATE users SET name = '" + name + "' WHERE id = " + id // arbiter-expect: GO-SQLI-003
	_, err := s.db.Exec(stmt)
	return err
}

func (s *Store) ListTeam(team string) ([]User, error) {
	var users []User
	err := s.dbx.Select(&users, fmt.Sprintf("SELECT * FROM users WHERE team = '%s'", team)) // arbiter-expect: GO-SQLI-001
	return users, err
}

// Safe: placeholders, constant SQL, integer formatting of table-free text.
func (s *Store) FindByNameSafe(ctx context.Context, name string) (*User, error) {
	row := s.db.QueryRowContext(ctx, "SELECT id, name, email FROM users WHERE name = $1", name)
	var u User
	if err := row.Scan(&u.ID, &u.Name, &u.Email); err != nil {
		return nil, err
	}
	return &u, nil
}

func (s *Store) ByStatusSafe(status string) ([]User, error) {
	var users []User
	err := s.orm.Where("status = ?", status).Find(&users).Error
	return users, err
}

func (s *Store) Page(limit int) ([]User, error) {
	var users []User
	err := s.dbx.Select(&users, "SELECT id, name FROM users ORDER BY id LIMIT $1", limit)
	return users, err
}

func cacheKey(id int64) string {
	return fmt.Sprintf("user:%d", id)
}

func (s *Store) Describe(table string) string {
	return fmt.Sprintf("please select a value from %s", table)
}
