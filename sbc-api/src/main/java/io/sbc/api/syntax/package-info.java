/**
 * The one definition of each piece of syntax that validation, the SIP codec, routing and the
 * dispatcher share: IP literals and networks ({@link io.sbc.api.syntax.IpLiteral}, {@link
 * io.sbc.api.syntax.IpNetwork}), host names ({@link io.sbc.api.syntax.HostName}), the RFC 3261
 * token, user and header-value rules ({@link io.sbc.api.syntax.SipGrammar}), and the user-written
 * regular expressions of routes with their substitutions ({@link
 * io.sbc.api.syntax.RegularExpression}, {@link io.sbc.api.syntax.Substitution}).
 *
 * <p>Contract: what the validator accepts is exactly what the runtime parses, because both call
 * these classes. Pure functions: no DNS (a literal is parsed, never resolved), no I/O, no {@code
 * java.util.regex}; the checks and the IP parser do not allocate, so the runtime may call them per
 * message. Depends on the JDK and RE2/J only.
 */
package io.sbc.api.syntax;
