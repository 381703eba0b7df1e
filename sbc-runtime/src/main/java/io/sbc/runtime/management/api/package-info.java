/**
 * The management API (where kamctl would be used), REST under {@code /sbc/api} on the management
 * port: accounting records, subscribers, registrations. Every call carries {@code Authorization:
 * Bearer TOKEN} ({@link ManagementToken}: from {@code SBC_MANAGEMENT_TOKEN} or the file {@code
 * SBC_MANAGEMENT_TOKEN_FILE}, compared in constant time); without a configured token the API
 * answers 403 to everything. Health ({@code /q/health}), metrics ({@code /q/metrics}), {@code
 * /sbc/status}, the OpenAPI document ({@code /q/openapi}) and Swagger UI ({@code /q/swagger-ui})
 * stay open: probes and scrapers carry no token, and none of them changes anything or shows a
 * subscriber, a registration or a call.
 *
 * <p>Contract: handlers never block (Hibernate Reactive, the loop's duplicated context); passwords
 * are hashed on arrival (HA1, MD5 and SHA-256) and never stored, logged or returned.
 */
package io.sbc.runtime.management.api;
