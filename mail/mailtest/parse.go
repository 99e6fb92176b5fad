package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Received is one message as the server got it, for one recipient.
type Received struct {
	From    string      // envelope sender (MAIL FROM)
	To      string      // envelope recipient (RCPT TO)
	Header  mail.Header // the message's header, as sent
	Subject string      // the Subject header, decoded
	Text    string      // the text/plain body, decoded; "" when absent
	HTML    string      // the text/html body, decoded; "" when absent
	Raw     string      // the message as sent, header and body
}

// parse decodes a message: its subject and its text and HTML bodies,
// whether the message is a single part or multipart (nested or not).
func parse(raw []byte) (Received, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	r := Received{Header: m.Header, Raw: string(raw)}
	dec := mime.WordDecoder{}
	if r.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		return Received{}, fmt.Errorf("subject: %w", err)
	}
	err = walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &r)
	return r, err
}

// walk reads one part, descending into multipart ones.
func walk(contentType, encoding string, body io.Reader, r *Received) error {
	if contentType == "" {
		contentType = "text/plain; charset=us-ascii"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, r); err != nil {
				return err
			}
		}
	}
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		return fmt.Errorf("charset %q not supported", cs)
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // line breaks are ignored
	case "", "7bit", "8bit", "binary":
	default:
		return fmt.Errorf("transfer encoding %q not supported", encoding)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	switch mediaType {
	case "text/plain":
		r.Text = string(b)
	case "text/html":
		r.HTML = string(b)
	}
	return nil
}
