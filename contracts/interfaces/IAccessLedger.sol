// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title Access ledger interface
 * @notice The audit trail of research access to patient data. A custodian gateway records each
 * request; in the same transaction the ledger checks the researcher's accreditation and the
 * patient's consent, and emits {AccessGranted} or {AccessDenied}. Denials are recorded, not reverted.
 * @dev Researchers sign each request (EIP-712 `AccessRequest`), so the record is non-repudiable.
 * `requestHash` commits to the off-chain request (simulation, parameters, a salt); it carries no
 * patient data and each value can be recorded once.
 */
interface IAccessLedger {
    /// @notice Why a request was denied.
    enum DenialReason {
        None,
        ResearcherNotAccredited,
        NoConsent
    }

    struct AccessRequest {
        address patient;
        address researcher;
        bytes32 dataClass;
        bytes32 purpose;
        bytes32 requestHash;
        // Unix time in seconds after which the custodian may no longer record the request.
        uint256 deadline;
    }

    error AccessLedgerUnauthorizedCustodian(address caller);
    error AccessLedgerExpiredRequest(uint256 deadline);
    error AccessLedgerInvalidResearcherSignature(address researcher);
    error AccessLedgerRequestAlreadyRecorded(bytes32 requestHash);

    /**
     * @notice Emitted when a request passes both checks; the custodian may then run the simulation.
     * @param consentId The consent that covers the request.
     * @param custodian The gateway that recorded the request.
     */
    event AccessGranted(
        address indexed patient,
        address indexed researcher,
        bytes32 indexed requestHash,
        bytes32 dataClass,
        bytes32 purpose,
        uint256 consentId,
        address custodian
    );

    /**
     * @notice Emitted when a request fails a check; nothing may be computed on the patient's data.
     * @param consentId The consent that covers the request even though it was denied (the researcher
     * was not accredited), or 0 when no consent covers it.
     */
    event AccessDenied(
        address indexed patient,
        address indexed researcher,
        bytes32 indexed requestHash,
        bytes32 dataClass,
        bytes32 purpose,
        uint256 consentId,
        DenialReason reason,
        address custodian
    );

    /**
     * @notice Checks a signed research request and records the outcome.
     * @dev Requirements: the caller holds CUSTODIAN_ROLE in the consortium registry, the deadline has
     * not passed, `researcherSignature` is the researcher's signature of `request`, and the request
     * hash was never recorded. A failed requirement reverts; a failed check is recorded as a denial.
     * @return granted Whether the access was granted.
     * @return consentId The covering consent, or 0 when none covers the request.
     */
    function recordAccess(AccessRequest calldata request, bytes calldata researcherSignature)
        external
        returns (bool granted, uint256 consentId);

    /// @notice Whether `requestHash` has been recorded.
    function isRecorded(bytes32 requestHash) external view returns (bool);
}
