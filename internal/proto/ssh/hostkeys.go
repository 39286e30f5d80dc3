package ssh

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// hostKeySpec is one host key sshd keeps, in the order sshd offers them.
type hostKeySpec struct {
	name string // file name under DATA_DIR/ssh
	gen  func() (crypto.Signer, error)
}

var hostKeySpecs = []hostKeySpec{
	{"ssh_host_rsa_key", func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 3072) }},
	{"ssh_host_ecdsa_key", func() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }},
	{"ssh_host_ed25519_key", func() (crypto.Signer, error) {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}},
}

// loadHostKeys loads the host keys from dir, making the missing ones once, as Debian's
// openssh-server postinst does: RSA 3072, ECDSA P-256, Ed25519, in OpenSSH's private key
// format with mode 0600, and the .pub beside each.
func loadHostKeys(dir string) ([]gossh.Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ssh: create host key directory %s: %w", dir, err)
	}
	var out []gossh.Signer
	for _, spec := range hostKeySpecs {
		path := filepath.Join(dir, spec.name)
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			b, err = makeHostKey(path, spec)
		}
		if err != nil {
			return nil, fmt.Errorf("ssh: host key %s: %w", path, err)
		}
		s, err := gossh.ParsePrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("ssh: host key %s is not a readable private key: %w", path, err)
		}
		if s.PublicKey().Type() == gossh.KeyAlgoRSA {
			// OpenSSH 9.2 no longer signs with SHA-1 ("ssh-rsa"); offer only the SHA-2 forms.
			as, ok := s.(gossh.AlgorithmSigner)
			if !ok {
				return nil, fmt.Errorf("ssh: host key %s cannot sign with SHA-2", path)
			}
			s, err = gossh.NewSignerWithAlgorithms(as, []string{gossh.KeyAlgoRSASHA512, gossh.KeyAlgoRSASHA256})
			if err != nil {
				return nil, fmt.Errorf("ssh: host key %s: %w", path, err)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func makeHostKey(path string, spec hostKeySpec) ([]byte, error) {
	key, err := spec.gen()
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	blk, err := gossh.MarshalPrivateKey(key, "root@localhost")
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	b := pem.EncodeToMemory(blk)
	pub, err := gossh.NewPublicKey(key.Public())
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	if err := writeFileAtomic(path, b, 0o600); err != nil {
		return nil, err
	}
	line := append(gossh.MarshalAuthorizedKey(pub)[:0:0], gossh.MarshalAuthorizedKey(pub)...)
	line = append(line[:len(line)-1], " root@localhost\n"...)
	if err := writeFileAtomic(path+".pub", line, 0o644); err != nil {
		return nil, err
	}
	return b, nil
}

func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Chmod(perm)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		os.Remove(name)
	}
	return werr
}
