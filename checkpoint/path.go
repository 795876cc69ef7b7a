package checkpoint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluicestream/sluice/internal/fsutil"
)

// ErrInvalidPath: a path or directory given to a Storage is not a valid
// checkpoint path. Errors wrapping it name the path and say what is wrong.
var ErrInvalidPath = errors.New("invalid checkpoint path")

// ValidatePath reports whether p may name a file in a Storage: relative,
// slash-separated, with no empty, "." or ".." elements, no backslash or NUL,
// and no element shaped like an in-flight temporary file
// (".<name>.tmp-<16 hex digits>", see fsutil.TempName). Every Storage
// implementation checks its paths with it, so that all accept the same names.
func ValidatePath(p string) error {
	if reason := pathProblem(p); reason != "" {
		return invalidPath(p, reason)
	}
	return nil
}

// ValidateDir is ValidatePath for the dir argument of List: "" names the
// root, and one trailing slash is allowed ("offsets/" is "offsets"). It
// returns dir without the trailing slash.
func ValidateDir(dir string) (string, error) {
	if dir == "" {
		return "", nil
	}
	d := strings.TrimSuffix(dir, "/")
	if reason := pathProblem(d); reason != "" {
		return "", invalidPath(dir, reason)
	}
	return d, nil
}

// pathProblem says what is wrong with p, or "" if nothing is.
func pathProblem(p string) string {
	switch {
	case p == "":
		return "empty path"
	case strings.HasPrefix(p, "/"):
		return "absolute; paths are relative to the checkpoint root"
	case strings.ContainsAny(p, "\\\x00"):
		return "contains a backslash or NUL byte"
	}
	for elem := range strings.SplitSeq(p, "/") {
		switch {
		case elem == "":
			return "empty path element"
		case elem == "." || elem == "..":
			return "contains a " + elem + " element"
		case fsutil.IsTemp(elem):
			return "element " + elem + " is reserved for temporary files"
		}
	}
	return ""
}

func invalidPath(p, reason string) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidPath, p, reason)
}
