package panel

// texts are the panel's words, French first: key → {fr, en}.
var texts = map[string][2]string{
	"product_domain": {"Domaines", "Domains"},
	"product_server": {"Serveurs", "Servers"},
	"product_email":  {"E-mail pro", "Professional email"},
	"panel":          {"Espace client", "Customer panel"},
	"demo_note":      {"Panneau de démonstration : les ressources sont fictives.", "Demonstration panel: the resources are not real."},

	"signin":          {"Se connecter", "Sign in"},
	"signin_other":    {"Changer de compte", "Switch account"},
	"signout":         {"Se déconnecter", "Sign out"},
	"landing_title":   {"Bienvenue", "Welcome"},
	"landing_body":    {"Connectez-vous avec votre compte Sésame pour gérer vos services.", "Sign in with your Sésame account to manage your services."},
	"signed_in_as":    {"Connecté·e en tant que", "Signed in as"},
	"account":         {"Compte", "Account"},
	"subject":         {"Identifiant de connexion", "Login ID"},
	"your_rights":     {"Vos droits dans ce compte", "Your rights in this account"},
	"no_rights":       {"Aucun droit.", "No rights."},
	"actions":         {"Ce que vous pouvez faire ici", "What you can do here"},
	"allowed_all":     {"Autorisé", "Allowed"},
	"allowed_some":    {"Autorisé sur :", "Allowed on:"},
	"allowed_none":    {"Non autorisé", "Not allowed"},
	"needs":           {"nécessite", "needs"},
	"checked_live":    {"vérifié en direct auprès de Sésame", "checked live with Sésame"},
	"open":            {"Ouvrir", "Open"},
	"back":            {"Retour", "Back"},
	"not_found":       {"Introuvable", "Not found"},
	"not_found_body":  {"Cette ressource n'existe pas dans votre compte.", "This resource does not exist in your account."},
	"unavailable_why": {"Sésame ne répond pas : action momentanément indisponible.", "Sésame does not answer: action unavailable for now."},

	"act_domain_read":   {"Voir les domaines et leurs zones DNS", "View domains and their DNS zones"},
	"act_domain_dns":    {"Modifier une zone DNS", "Edit a DNS zone"},
	"act_server_read":   {"Voir les serveurs", "View servers"},
	"act_server_op":     {"Redémarrer, arrêter ou démarrer un serveur", "Reboot, stop or start a server"},
	"act_email_read":    {"Voir les boîtes e-mail", "View mailboxes"},
	"act_email_manage":  {"Créer et supprimer des boîtes e-mail", "Create and delete mailboxes"},
	"domains_title":     {"Vos domaines", "Your domains"},
	"zone_title":        {"Zone DNS de", "DNS zone of"},
	"records":           {"Enregistrements", "Records"},
	"type":              {"Type", "Type"},
	"name":              {"Nom", "Name"},
	"value":             {"Valeur", "Value"},
	"ttl":               {"TTL (s)", "TTL (s)"},
	"add_record":        {"Ajouter un enregistrement", "Add a record"},
	"add":               {"Ajouter", "Add"},
	"delete":            {"Supprimer", "Delete"},
	"dns_editable":      {"Zone modifiable", "Zone editable"},
	"dns_readonly":      {"Lecture seule", "Read only"},
	"dns_forbidden":     {"Vous ne pouvez pas modifier cette zone : il faut le droit domain:dns (ou domain:dns:%s).", "You cannot edit this zone: it takes the right domain:dns (or domain:dns:%s)."},
	"servers_title":     {"Vos serveurs", "Your servers"},
	"plan":              {"Offre", "Plan"},
	"ip":                {"Adresse IP", "IP address"},
	"power":             {"État", "State"},
	"power_on":          {"En marche", "Running"},
	"power_off":         {"Arrêté", "Stopped"},
	"reboots":           {"Redémarrages", "Reboots"},
	"reboot":            {"Redémarrer", "Reboot"},
	"stop":              {"Arrêter", "Stop"},
	"start":             {"Démarrer", "Start"},
	"server_forbidden":  {"Il faut le droit server:operate pour agir sur ce serveur.", "It takes the right server:operate to act on this server."},
	"mailboxes_title":   {"Vos boîtes e-mail", "Your mailboxes"},
	"address":           {"Adresse", "Address"},
	"quota":             {"Espace", "Quota"},
	"new_mailbox":       {"Nouvelle boîte", "New mailbox"},
	"local_part":        {"Nom (avant @)", "Name (before @)"},
	"create":            {"Créer", "Create"},
	"email_forbidden":   {"Il faut le droit email:manage pour créer ou supprimer des boîtes.", "It takes the right email:manage to create or delete mailboxes."},
	"ok_record_added":   {"Enregistrement ajouté.", "Record added."},
	"ok_record_deleted": {"Enregistrement supprimé.", "Record deleted."},
	"ok_server":         {"Action envoyée au serveur.", "Action sent to the server."},
	"ok_mailbox_added":  {"Boîte créée.", "Mailbox created."},
	"ok_mailbox_gone":   {"Boîte supprimée.", "Mailbox deleted."},

	"err_ttl":        {"Le TTL doit être un nombre de secondes entre 60 et 86400.", "The TTL must be a number of seconds between 60 and 86400."},
	"err_name":       {"Le nom doit être @ ou un nom DNS en minuscules (lettres, chiffres, tirets).", "The name must be @ or a lower-case DNS name (letters, digits, hyphens)."},
	"err_type":       {"Type d'enregistrement inconnu.", "Unknown record type."},
	"err_value_a":    {"Un enregistrement A attend une adresse IPv4, par exemple 192.0.2.10.", "An A record takes an IPv4 address, e.g. 192.0.2.10."},
	"err_value_aaaa": {"Un enregistrement AAAA attend une adresse IPv6, par exemple 2001:db8::1.", "An AAAA record takes an IPv6 address, e.g. 2001:db8::1."},
	"err_value_host": {"La valeur doit être un nom d'hôte, par exemple www.example.cm.", "The value must be a host name, e.g. www.example.cm."},
	"err_cname_apex": {"Un CNAME ne peut pas être posé sur @.", "A CNAME cannot be set on @."},
	"err_value_mx":   {"Un MX s'écrit « priorité hôte », par exemple « 10 mail.example.cm. ».", "An MX is written \"priority host\", e.g. \"10 mail.example.cm.\"."},
	"err_value_txt":  {"Le texte doit faire de 1 à 255 caractères imprimables.", "The text must be 1 to 255 printable characters."},
	"err_local":      {"Le nom de la boîte ne peut contenir que des lettres, chiffres, points, tirets, + et _.", "The mailbox name may only hold letters, digits, dots, hyphens, + and _."},
	"err_domain":     {"Domaine invalide.", "Invalid domain."},
	"err_exists":     {"Cette adresse existe déjà.", "This address already exists."},
	"err_full":       {"Limite atteinte pour ce panneau de démonstration.", "Limit reached for this demonstration panel."},
	"err_not_found":  {"Introuvable dans votre compte.", "Not found in your account."},
	"err_json":       {"Corps JSON invalide.", "Invalid JSON body."},
}

// tr returns the text key in lang ("fr" or "en").
func tr(lang, key string) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// flashKeys are the messages a redirect may ask a page to show (?ok= or
// ?err=): only these, so that a link cannot make the panel display
// arbitrary text.
var flashKeys = map[string]bool{
	"ok_record_added": true, "ok_record_deleted": true, "ok_server": true, "ok_mailbox_added": true, "ok_mailbox_gone": true,
	"err_ttl": true, "err_name": true, "err_type": true, "err_value_a": true, "err_value_aaaa": true, "err_value_host": true,
	"err_cname_apex": true, "err_value_mx": true, "err_value_txt": true, "err_local": true, "err_domain": true,
	"err_exists": true, "err_full": true, "err_not_found": true,
}
