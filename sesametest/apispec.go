package sesametest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// apiSpec is the OpenAPI description Sésame serves at /api/openapi.json,
// loaded once per test binary.
type apiSpec struct {
	doc    *openapi3.T
	router routers.Router
}

var (
	specOnce sync.Once
	spec     *apiSpec
	specErr  error
)

// loadSpec reads the description from the handler itself, so that what is
// checked is what is served.
func loadSpec(h http.Handler) (*apiSpec, error) {
	specOnce.Do(func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
		if rec.Code != http.StatusOK {
			specErr = fmt.Errorf("GET /api/openapi.json: %d", rec.Code)
			return
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(rec.Body.Bytes())
		if err != nil {
			specErr = fmt.Errorf("load the OpenAPI description: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = fmt.Errorf("the OpenAPI description is invalid: %w", err)
			return
		}
		// Match paths whatever host the test server has.
		doc.Servers = nil
		r, err := legacy.NewRouter(doc)
		if err != nil {
			specErr = err
			return
		}
		spec = &apiSpec{doc: doc, router: r}
	})
	return spec, specErr
}

// checkAPI wraps h so that every response under /api/ is checked against
// the OpenAPI description: it must be JSON (404 and 405 included), its
// operation must be described, and its body must match the schema of its
// status. A mismatch fails the test.
func checkAPI(t testing.TB, h http.Handler) http.Handler {
	sp, err := loadSpec(h)
	if err != nil {
		t.Fatalf("sesametest: %v", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			h.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		if err := sp.check(r, rec); err != nil {
			t.Errorf("sesametest: %s %s answered %d, which its OpenAPI description does not allow: %v\n%s",
				r.Method, r.URL.Path, rec.status, err, clip(rec.body.String()))
		}
	})
}

func (sp *apiSpec) check(r *http.Request, rec *recorder) error {
	ct := rec.Header().Get("Content-Type")
	if rec.status == http.StatusNoContent || r.Method == http.MethodHead {
		if rec.body.Len() > 0 {
			return errors.New("a 204 with a body")
		}
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
		return fmt.Errorf("Content-Type %q, not JSON", ct)
	}
	route, params, err := sp.router.FindRoute(r)
	if err != nil {
		// No such path or method: only the error object may answer.
		if rec.status != http.StatusNotFound && rec.status != http.StatusMethodNotAllowed {
			return fmt.Errorf("undescribed operation: %w", err)
		}
		var e map[string]any
		if json.Unmarshal(rec.body.Bytes(), &e) != nil || e["error"] == nil || e["message"] == nil {
			return errors.New(`not the error object {"error","message"}`)
		}
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 rec.status,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(rec.body.Bytes())
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// recorder passes a response through and keeps its status and body.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
