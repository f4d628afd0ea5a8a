package archive

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Extract unpacks a zip into dest without checking entry names.
func Extract(src, dest string) error {
	r, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := os.MkdirAll(dest, 0777); err != nil { // arbiter-expect: GO-PERM-001
		return err
	}
	for _, f := range r.File {
		target := filepath.Join(dest, f.Name) // arbiter-expect: GO-PATH-003
		if err := writeEntry(f, target, 0666); err != nil {
			return err
		}
	}
	return nil
}

// ExtractSafe rejects entries that would land outside dest.
func ExtractSafe(src, dest string) error {
	r, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := os.MkdirAll(dest, 0o750); err != nil {
		return err
	}
	root := filepath.Clean(dest) + string(os.PathSeparator)
	for _, f := range r.File {
		name := filepath.Base(f.FileInfo().Name())
		target := filepath.Join(dest, name)
		if !strings.HasPrefix(filepath.Clean(target), root) {
			return fmt.Errorf("illegal entry %q", f.FileInfo().Name())
		}
		if err := writeEntry(f, target, 0o640); err != nil {
			return err
		}
	}
	return nil
}

func writeEntry(f *zip.File, target string, mode os.FileMode) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	defer out.Close()
	_, err = io.Copy(out, rc)
	return err
}

func WriteReport(path string, data []byte) error {
	if err := os.WriteFile(path+".tmp", data, 0644); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0666) // arbiter-expect: GO-PERM-001
}
