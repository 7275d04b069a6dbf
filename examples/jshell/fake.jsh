// With --fake: the in-process fake AWS and OIDC issuer.
import dev.oidcecr.testing.*;
