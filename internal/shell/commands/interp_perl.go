package commands

// perl (5.36.0): perl -v only for now; other programs run nothing.

func perlCmd(p *Proc) int {
	c := newCmd(p)
	for _, a := range c.Args[1:] {
		if a == "-v" || a == "--version" {
			c.print(perlVersion)
			return c.done(0)
		}
	}
	return c.done(0)
}

const perlVersion = "\nThis is perl 5, version 36, subversion 0 (v5.36.0) built for x86_64-linux-gnu-thread-multi\n(with 54 registered patches, see perl -V for more detail)\n\nCopyright 1987-2022, Larry Wall\n\nPerl may be copied only under the terms of either the Artistic License or the\nGNU General Public License, which may be found in the Perl 5 source kit.\n\nComplete documentation for Perl, including FAQ lists, should be found on\nthis system using \"man perl\" or \"perldoc perl\".  If you have access to the\nInternet, point your browser at https://www.perl.org/, the Perl Home Page.\n\n"
