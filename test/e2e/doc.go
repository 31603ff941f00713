// Package e2e holds whole-system scenarios: each starts the real warroom
// server in-process (app.Main, exactly what `warroom serve` runs) on a real
// database and drives it over HTTP with the Go client, as a user would.
package e2e
