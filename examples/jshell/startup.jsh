// oidc-ecr JShell startup: the facade's short names and the public types.
import dev.oidcecr.core.*;
import dev.oidcecr.policies.*;
import static dev.oidcecr.core.OidcEcr.*;

// JShell's feedback cuts long values ("$3 ==> Evaluation{...") mid-text. show(x) prints x in
// full: show(explain(trust, token)), show(doctor(role, image)), show(setup.plan()).
void show(Object value) { System.out.println(value); }
