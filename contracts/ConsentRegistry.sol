// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IConsentRegistry} from "./interfaces/IConsentRegistry.sol";
import {IConsortiumRegistry} from "./interfaces/IConsortiumRegistry.sol";

/**
 * @title Consent registry
 * @notice Stores patients' consents and answers whether a researcher's request is covered.
 * @dev WARNING: everything here is public, `private` included. Store only pseudonymous
 * addresses and coded data classes and purposes, never a name, a record number or a diagnosis.
 */
contract ConsentRegistry is IConsentRegistry, EIP712, Nonces {
    /// @notice Most purposes one consent may list; bounds the gas of the access check.
    uint256 public constant MAX_PURPOSES = 8;

    /// @notice Most unrevoked consents one patient may hold for one data class; bounds the access check.
    uint256 public constant MAX_CONSENTS_PER_CLASS = 16;

    bytes32 public constant GRANT_CONSENT_TYPEHASH = keccak256(
        "GrantConsent(address patient,uint8 granteeKind,address grantee,bytes32 dataClass,bytes32[] purposes,"
        "uint64 validFrom,uint64 validUntil,uint256 nonce,uint256 deadline)"
    );

    bytes32 public constant REVOKE_CONSENT_TYPEHASH =
        keccak256("RevokeConsent(uint256 consentId,uint256 nonce,uint256 deadline)");

    /// @notice The registry that binds researchers to institutions.
    IConsortiumRegistry public immutable consortium;

    uint256 private _lastConsentId;
    mapping(uint256 consentId => Consent) private _consents;
    mapping(address patient => mapping(bytes32 dataClass => uint256[] consentIds)) private _liveConsents;

    constructor(IConsortiumRegistry consortium_) EIP712("ConsentRegistry", "1") {
        consortium = consortium_;
    }

    /// @inheritdoc IConsentRegistry
    function grantConsent(ConsentTerms calldata terms) external returns (uint256) {
        return _grant(msg.sender, terms);
    }

    /// @inheritdoc IConsentRegistry
    function grantConsentBySignature(
        address patient,
        ConsentTerms calldata terms,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256) {
        bytes32 structHash = keccak256(
            abi.encode(
                GRANT_CONSENT_TYPEHASH,
                patient,
                terms.granteeKind,
                terms.grantee,
                terms.dataClass,
                keccak256(abi.encodePacked(terms.purposes)),
                terms.validFrom,
                terms.validUntil,
                nonce,
                deadline
            )
        );
        _checkSignature(patient, structHash, nonce, deadline, signature);

        return _grant(patient, terms);
    }

    /// @inheritdoc IConsentRegistry
    function revokeConsent(uint256 consentId) external {
        Consent storage consent = _activeConsent(consentId);
        if (consent.patient != msg.sender) revert ConsentRegistryNotPatient(consentId, msg.sender);

        _revoke(consentId, consent);
    }

    /// @inheritdoc IConsentRegistry
    function revokeConsentBySignature(uint256 consentId, uint256 nonce, uint256 deadline, bytes calldata signature)
        external
    {
        Consent storage consent = _activeConsent(consentId);
        bytes32 structHash = keccak256(abi.encode(REVOKE_CONSENT_TYPEHASH, consentId, nonce, deadline));
        _checkSignature(consent.patient, structHash, nonce, deadline, signature);

        _revoke(consentId, consent);
    }

    /// @inheritdoc IConsentRegistry
    function isAccessAllowed(address patient, address researcher, bytes32 dataClass, bytes32 purpose)
        external
        view
        returns (bool, uint256)
    {
        uint256[] storage ids = _liveConsents[patient][dataClass];
        for (uint256 i = 0; i < ids.length; ++i) {
            ConsentTerms storage terms = _consents[ids[i]].terms;
            if (_isInForce(terms) && _coversResearcher(terms, researcher) && _coversPurpose(terms, purpose)) {
                return (true, ids[i]);
            }
        }
        return (false, 0);
    }

    /// @inheritdoc IConsentRegistry
    function getConsent(uint256 consentId) external view returns (Consent memory) {
        Consent storage consent = _consents[consentId];
        if (consent.status == ConsentStatus.None) revert ConsentRegistryUnknownConsent(consentId);
        return consent;
    }

    /// @inheritdoc IConsentRegistry
    function liveConsentIds(address patient, bytes32 dataClass) external view returns (uint256[] memory) {
        return _liveConsents[patient][dataClass];
    }

    /// @notice The EIP-712 domain separator of this registry on this chain.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _grant(address patient, ConsentTerms calldata terms) private returns (uint256 consentId) {
        _checkTerms(terms);
        uint256[] storage live = _liveConsents[patient][terms.dataClass];
        if (live.length >= MAX_CONSENTS_PER_CLASS) {
            revert ConsentRegistryTooManyConsents(patient, terms.dataClass, MAX_CONSENTS_PER_CLASS);
        }

        consentId = ++_lastConsentId;
        _consents[consentId] = Consent({patient: patient, status: ConsentStatus.Active, terms: terms});
        live.push(consentId);
        emit ConsentGranted(
            consentId,
            patient,
            terms.grantee,
            terms.granteeKind,
            terms.dataClass,
            terms.purposes,
            terms.validFrom,
            terms.validUntil,
            msg.sender
        );
    }

    function _revoke(uint256 consentId, Consent storage consent) private {
        consent.status = ConsentStatus.Revoked;
        _removeLive(_liveConsents[consent.patient][consent.terms.dataClass], consentId);

        emit ConsentRevoked(consentId, consent.patient, consent.terms.grantee, msg.sender);
    }

    function _checkTerms(ConsentTerms calldata terms) private pure {
        if (terms.dataClass == bytes32(0)) revert ConsentRegistryZeroDataClass();
        uint256 purposeCount = terms.purposes.length;
        if (purposeCount == 0 || purposeCount > MAX_PURPOSES) {
            revert ConsentRegistryInvalidPurposeCount(purposeCount, MAX_PURPOSES);
        }
        for (uint256 i = 0; i < purposeCount; ++i) {
            if (terms.purposes[i] == bytes32(0)) revert ConsentRegistryZeroPurpose(i);
        }
        if (terms.validFrom >= terms.validUntil) revert ConsentRegistryInvalidValidity(terms.validFrom, terms.validUntil);
        bool needsGrantee = terms.granteeKind != GranteeKind.AnyAccredited;
        if (needsGrantee == (terms.grantee == address(0))) {
            revert ConsentRegistryInvalidGrantee(terms.granteeKind, terms.grantee);
        }
    }

    function _checkSignature(
        address patient,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) private {
        if (block.timestamp > deadline) revert ConsentRegistryExpiredSignature(deadline);
        bytes32 digest = _hashTypedDataV4(structHash);
        if (!SignatureChecker.isValidSignatureNow(patient, digest, signature)) {
            revert ConsentRegistryInvalidSignature(patient);
        }

        // Reverts with InvalidAccountNonce when the signature was already used (a replay).
        _useCheckedNonce(patient, nonce);
    }

    function _activeConsent(uint256 consentId) private view returns (Consent storage consent) {
        consent = _consents[consentId];
        if (consent.status == ConsentStatus.None) revert ConsentRegistryUnknownConsent(consentId);
        if (consent.status != ConsentStatus.Active) revert ConsentRegistryConsentNotActive(consentId);
    }

    function _isInForce(ConsentTerms storage terms) private view returns (bool) {
        return terms.validFrom <= block.timestamp && block.timestamp < terms.validUntil;
    }

    function _coversResearcher(ConsentTerms storage terms, address researcher) private view returns (bool) {
        if (terms.granteeKind == GranteeKind.Researcher) return terms.grantee == researcher;
        if (terms.granteeKind == GranteeKind.Institution) return consortium.institutionOf(researcher) == terms.grantee;
        return true;
    }

    function _coversPurpose(ConsentTerms storage terms, bytes32 purpose) private view returns (bool) {
        bytes32[] storage purposes = terms.purposes;
        for (uint256 i = 0; i < purposes.length; ++i) {
            if (purposes[i] == purpose) return true;
        }
        return false;
    }

    function _removeLive(uint256[] storage ids, uint256 consentId) private {
        uint256 last = ids.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (ids[i] == consentId) {
                ids[i] = ids[last];
                ids.pop();
                return;
            }
        }
    }
}
