package sesametest

import (
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Form is an HTML form found in a page: its action, method and the values
// of its inputs (hidden ones included, so the CSRF field comes along).
type Form struct {
	Action string
	Method string
	Values url.Values
}

// Forms parses every form of an HTML page.
func Forms(r io.Reader) ([]Form, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, err
	}
	var forms []Form
	var cur *Form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				forms = append(forms, Form{Action: attr(n, "action"), Method: strings.ToUpper(attr(n, "method")), Values: url.Values{}})
				cur = &forms[len(forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				cur = nil
				return
			case "input":
				if cur != nil && attr(n, "name") != "" {
					name, typ := attr(n, "name"), attr(n, "type")
					switch typ {
					case "checkbox", "radio":
						if hasAttr(n, "checked") {
							cur.Values.Add(name, attr(n, "value"))
						}
					case "submit":
					default:
						cur.Values.Add(name, attr(n, "value"))
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return forms, nil
}

// FormWithField returns the first form having an input named field.
func FormWithField(forms []Form, field string) (Form, bool) {
	for _, f := range forms {
		if _, ok := f.Values[field]; ok {
			return f, true
		}
	}
	return Form{}, false
}

// FormWithAction returns the first form whose action is action.
func FormWithAction(forms []Form, action string) (Form, bool) {
	for _, f := range forms {
		if f.Action == action {
			return f, true
		}
	}
	return Form{}, false
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}
