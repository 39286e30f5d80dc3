// Package detect owns the IPS detectors: brute force and user enumeration from one source,
// password spraying from many, port scans (decoy connections and logged SYNs), and signatures
// (Suricata/Snort rules over event buffers, see package rules). Each reads events in order
// from the IPS engine and raises ips.Alert values that cite their evidence by event id. They
// keep their clock from the events, so a replayed log raises what the live run raised, and
// every table they keep is bounded.
package detect
