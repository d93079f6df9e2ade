// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title Consent registry interface
 * @notice Patients grant and revoke consent for research use of a class of their data,
 * directly or by an EIP-712 signature that any relayer may submit, so patients need no funds.
 * @dev Patients appear only as pseudonymous addresses. Data classes (for example "genomic")
 * and purposes (GA4GH Data Use Ontology CURIEs such as "DUO:0000006" for health/medical/biomedical
 * research) are left-aligned ASCII in a bytes32, so an auditor can read them from the logs.
 */
interface IConsentRegistry {
    /// @notice Who a consent is granted to.
    enum GranteeKind {
        // One researcher account, given as `grantee`.
        Researcher,
        // Every researcher accredited by the institution account given as `grantee`.
        Institution,
        // Any accredited researcher of the consortium; `grantee` must be the zero address.
        AnyAccredited
    }

    enum ConsentStatus {
        None,
        Active,
        Revoked
    }

    /// @notice The terms a patient signs.
    struct ConsentTerms {
        GranteeKind granteeKind;
        address grantee;
        bytes32 dataClass;
        bytes32[] purposes;
        // Unix times in seconds; the consent holds for validFrom <= block.timestamp < validUntil.
        uint64 validFrom;
        uint64 validUntil;
    }

    struct Consent {
        address patient;
        ConsentStatus status;
        ConsentTerms terms;
    }

    error ConsentRegistryZeroDataClass();
    error ConsentRegistryInvalidPurposeCount(uint256 count, uint256 maxPurposes);
    error ConsentRegistryZeroPurpose(uint256 index);
    error ConsentRegistryInvalidValidity(uint64 validFrom, uint64 validUntil);
    error ConsentRegistryInvalidGrantee(GranteeKind granteeKind, address grantee);
    error ConsentRegistryTooManyConsents(address patient, bytes32 dataClass, uint256 maxConsents);
    error ConsentRegistryUnknownConsent(uint256 consentId);
    error ConsentRegistryNotPatient(uint256 consentId, address caller);
    error ConsentRegistryConsentNotActive(uint256 consentId);
    error ConsentRegistryExpiredSignature(uint256 deadline);
    error ConsentRegistryInvalidSignature(address patient);

    /**
     * @notice Emitted when a consent is granted.
     * @param relayer The account that sent the transaction: the patient, or a relayer of a signature.
     */
    event ConsentGranted(
        uint256 indexed consentId,
        address indexed patient,
        address indexed grantee,
        GranteeKind granteeKind,
        bytes32 dataClass,
        bytes32[] purposes,
        uint64 validFrom,
        uint64 validUntil,
        address relayer
    );

    /// @notice Emitted when a consent is revoked; accesses recorded after this transaction are denied.
    event ConsentRevoked(uint256 indexed consentId, address indexed patient, address indexed grantee, address relayer);

    /**
     * @notice Grants consent from the calling patient.
     * @dev Requirements: a non-zero data class, 1 to MAX_PURPOSES non-zero purposes,
     * validFrom < validUntil, a grantee that fits its kind, and fewer than MAX_CONSENTS_PER_CLASS
     * live consents for this data class. Emits {ConsentGranted}.
     * @return consentId The new consent's id, counting from 1.
     */
    function grantConsent(ConsentTerms calldata terms) external returns (uint256 consentId);

    /**
     * @notice Grants consent for `patient` from their EIP-712 `GrantConsent` signature.
     * @dev The signature may come from an EOA or an EIP-1271 contract wallet. `nonce` must be
     * the patient's current nonce, so a signature is accepted once. Emits {ConsentGranted}.
     * @param deadline Unix time in seconds after which the signature is rejected.
     */
    function grantConsentBySignature(
        address patient,
        ConsentTerms calldata terms,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 consentId);

    /// @notice Revokes one of the calling patient's consents. Emits {ConsentRevoked}.
    function revokeConsent(uint256 consentId) external;

    /**
     * @notice Revokes a consent from the patient's EIP-712 `RevokeConsent` signature.
     * @dev Uses the same nonce sequence as grants. Emits {ConsentRevoked}.
     */
    function revokeConsentBySignature(uint256 consentId, uint256 nonce, uint256 deadline, bytes calldata signature)
        external;

    /**
     * @notice Whether `researcher` may access `patient`'s `dataClass` for `purpose` at the current block.
     * @dev Checks consent only. The access ledger checks the researcher's accreditation separately,
     * so a denial can say which check failed. Purposes match exactly: a consent for DUO:0000042
     * (general research use) does not cover a request that names DUO:0000006.
     * @return allowed True when a live consent covers the request.
     * @return consentId The covering consent, or 0.
     */
    function isAccessAllowed(address patient, address researcher, bytes32 dataClass, bytes32 purpose)
        external
        view
        returns (bool allowed, uint256 consentId);

    /// @notice The consent with id `consentId`; reverts for an unknown id.
    function getConsent(uint256 consentId) external view returns (Consent memory);

    /// @notice Ids of `patient`'s consents for `dataClass` that have not been revoked.
    function liveConsentIds(address patient, bytes32 dataClass) external view returns (uint256[] memory);
}
