// Package warroom is the domain of an incident-response platform: what an
// incident is, which lifecycle steps are legal, how severity is proposed
// from impact numbers, what each severity promises, and the services that
// keep all of it.
//
// It imports the standard library only. Implementations live under
// internal/ and talk to each other through the interfaces declared here.
//
// Authorisation is decided at the edge: every HTTP route declares the
// Permission it needs and is refused before a service is called. Services
// attribute each change to the user carried in the context
// (NewContextWithUser) and write its timeline events and audit entry in the
// same transaction as the change.
package warroom
