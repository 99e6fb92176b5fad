package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sesame-idp/sesame/account"
	"github.com/sesame-idp/sesame/i18n"
	"github.com/sesame-idp/sesame/rbac"
	"github.com/sesame-idp/sesame/templates"
)

// keyUse is one place that names a message key.
type keyUse struct {
	key, where string
	// required: the place needs the key to exist (a template call, a
	// msg-call site). Other places (a string literal equal to a key,
	// passed around before it reaches msg) only count as uses.
	required bool
}

// templateCall finds {{.T "key" …}}, {{$.TH "key" …}} in page templates.
var templateCall = regexp.MustCompile(`\.(?:T|TH)\s+"([^"]*)"`)

// templateUses returns the keys the page templates ask for.
func templateUses(t *testing.T) []keyUse {
	t.Helper()
	files, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("pages: %v (%d files)", err, len(files))
	}
	var uses []keyUse
	for _, f := range files {
		raw, err := fs.ReadFile(templates.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templateCall.FindAllStringSubmatch(string(raw), -1) {
			uses = append(uses, keyUse{key: m[1], where: f, required: true})
		}
	}
	return uses
}

// msgCalls are the functions of web that take a message key, with the
// index of that argument.
var msgCalls = map[string]int{"msg": 1, "msgHTML": 1, "errorPage": 2, "render": 3, "Text": 1, "HTML": 1}

// doneKey finds the message key of a "?done=key" redirect.
var doneKey = regexp.MustCompile(`[?&]done=([a-z][a-z0-9_]*)`)

// goUses returns the keys web's Go code names: string literals at msg-call
// sites and in ?done= redirects (required), every other string literal
// (counted as a use when it is a key), and the password rules' keys.
func goUses(t *testing.T) []keyUse {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var uses []keyUse
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		atCall := map[*ast.BasicLit]bool{}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			i, ok := msgCalls[sel.Sel.Name]
			if !ok || i >= len(call.Args) {
				return true
			}
			if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				atCall[lit] = true
			}
			return true
		})
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			where := fset.Position(lit.Pos()).String()
			uses = append(uses, keyUse{key: s, where: where, required: atCall[lit]})
			for _, m := range doneKey.FindAllStringSubmatch(s, -1) {
				uses = append(uses, keyUse{key: m[1], where: where, required: true})
			}
			return true
		})
	}
	for _, r := range rbac.Reasons() {
		uses = append(uses, keyUse{key: reasonKey(r), where: "reasonKey(" + string(r) + ")", required: true})
	}
	for _, w := range rbac.Whys() {
		uses = append(uses, keyUse{key: whyKey(w), where: "whyKey(" + w + ")", required: true})
	}
	for _, f := range append(account.Rules(), account.FailureTooLong, account.FailureMismatch) {
		uses = append(uses, keyUse{key: ruleMessageKey(f), where: "ruleMessageKey(" + string(f) + ")", required: true})
	}
	return uses
}

// catalogProblems returns what is wrong between the catalog's keys and
// their uses: a required key missing from the catalog, a catalog key that
// nothing uses.
func catalogProblems(keys []string, uses []keyUse) []string {
	inCatalog := map[string]bool{}
	for _, k := range keys {
		inCatalog[k] = true
	}
	used := map[string]bool{}
	var problems []string
	for _, u := range uses {
		if inCatalog[u.key] {
			used[u.key] = true
		} else if u.required {
			problems = append(problems, u.where+": message "+strconv.Quote(u.key)+" is not in the catalog")
		}
	}
	for _, k := range keys {
		if !used[k] {
			problems = append(problems, "message "+strconv.Quote(k)+" is used by no page and no code")
		}
	}
	sort.Strings(problems)
	return problems
}

// TestCatalogMatchesUses fails when a page or the code asks for a message
// the catalog lacks, or when the catalog holds a message nothing uses.
func TestCatalogMatchesUses(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	uses := append(templateUses(t), goUses(t)...)
	for _, p := range catalogProblems(cat.Keys(i18n.Default), uses) {
		t.Error(p)
	}
}

// TestCatalogProblems shows that the check above can fail, both ways.
func TestCatalogProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
		uses []keyUse
		want int
	}{
		{"all used", []string{"a", "b"}, []keyUse{{key: "a", required: true}, {key: "b"}}, 0},
		{"unused key", []string{"a", "b"}, []keyUse{{key: "a", required: true}}, 1},
		{"missing key", []string{"a"}, []keyUse{{key: "a"}, {key: "z", required: true}}, 1},
		{"a literal that is no key", []string{"a"}, []keyUse{{key: "a"}, {key: "hello"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := catalogProblems(tc.keys, tc.uses); len(got) != tc.want {
				t.Errorf("problems %q, want %d", got, tc.want)
			}
		})
	}
	// The scans find what the pages and the code name.
	tmpl := templateUses(t)
	if !hasKey(tmpl, "login_title") || !hasKey(tmpl, "admin_signed_in_as") {
		t.Error("the template scan misses {{.T \"key\"}} calls")
	}
	code := goUses(t)
	if !requires(code, "error_csrf") || !requires(code, "console_done_invited") || !requires(code, "password_rule_too_short") {
		t.Error("the Go scan misses msg-call sites, ?done= redirects or the password rules")
	}
}

func hasKey(uses []keyUse, key string) bool {
	for _, u := range uses {
		if u.key == key {
			return true
		}
	}
	return false
}

func requires(uses []keyUse, key string) bool {
	for _, u := range uses {
		if u.key == key && u.required {
			return true
		}
	}
	return false
}
