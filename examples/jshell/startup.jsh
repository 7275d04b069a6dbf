// oidc-ecr JShell startup: the facade's short names and the public types.
import dev.oidcecr.core.*;
import dev.oidcecr.policies.*;
import static dev.oidcecr.core.OidcEcr.*;
