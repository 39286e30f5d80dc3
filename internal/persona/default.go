package persona

import (
	_ "embed"
	"fmt"
	"sync"
)

// defaultPersona is the persona file scripts/build-default-persona.sh captures from a
// debootstrap tree of Debian 12.
//
//go:embed default.persona
var defaultPersona []byte

// loadDefault parses the embedded persona on first use and hands every later caller the
// same immutable value. Parsing reads only the manifest; content stays compressed in the
// embedded bytes until a file is read.
var loadDefault = sync.OnceValues(func() (*Persona, error) {
	p, err := Parse(defaultPersona)
	if err != nil {
		return nil, fmt.Errorf("persona: the embedded default persona is damaged (rebuild it with scripts/build-default-persona.sh): %w", err)
	}
	return p, nil
})
