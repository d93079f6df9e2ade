// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAccessLedger} from "./interfaces/IAccessLedger.sol";
import {IConsentRegistry} from "./interfaces/IConsentRegistry.sol";
import {ConsortiumRegistry} from "./ConsortiumRegistry.sol";

/**
 * @title Access ledger
 * @notice Records every research access request with its outcome, so the consent check and the
 * audit record are one atomic step ordered by the chain.
 */
contract AccessLedger is IAccessLedger, EIP712 {
    bytes32 public constant ACCESS_REQUEST_TYPEHASH = keccak256(
        "AccessRequest(address patient,address researcher,bytes32 dataClass,bytes32 purpose,"
        "bytes32 requestHash,uint256 deadline)"
    );

    ConsortiumRegistry public immutable consortium;
    IConsentRegistry public immutable consents;

    mapping(bytes32 requestHash => bool) private _recorded;

    constructor(ConsortiumRegistry consortium_, IConsentRegistry consents_) EIP712("AccessLedger", "1") {
        consortium = consortium_;
        consents = consents_;
    }

    /// @inheritdoc IAccessLedger
    function recordAccess(AccessRequest calldata request, bytes calldata researcherSignature)
        external
        returns (bool granted, uint256 consentId)
    {
        if (!consortium.hasRole(consortium.CUSTODIAN_ROLE(), msg.sender)) {
            revert AccessLedgerUnauthorizedCustodian(msg.sender);
        }
        if (block.timestamp > request.deadline) revert AccessLedgerExpiredRequest(request.deadline);
        if (_recorded[request.requestHash]) revert AccessLedgerRequestAlreadyRecorded(request.requestHash);
        _checkResearcherSignature(request, researcherSignature);

        _recorded[request.requestHash] = true;
        bool consented;
        (consented, consentId) =
            consents.isAccessAllowed(request.patient, request.researcher, request.dataClass, request.purpose);
        DenialReason reason = DenialReason.None;
        if (!consortium.isAccredited(request.researcher)) {
            reason = DenialReason.ResearcherNotAccredited;
        } else if (!consented) {
            reason = DenialReason.NoConsent;
        }

        granted = reason == DenialReason.None;
        _emitOutcome(request, reason, consentId);
    }

    /// @inheritdoc IAccessLedger
    function isRecorded(bytes32 requestHash) external view returns (bool) {
        return _recorded[requestHash];
    }

    /// @notice The EIP-712 domain separator of this ledger on this chain.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _checkResearcherSignature(AccessRequest calldata request, bytes calldata signature) private view {
        bytes32 structHash = keccak256(
            abi.encode(
                ACCESS_REQUEST_TYPEHASH,
                request.patient,
                request.researcher,
                request.dataClass,
                request.purpose,
                request.requestHash,
                request.deadline
            )
        );
        if (!SignatureChecker.isValidSignatureNow(request.researcher, _hashTypedDataV4(structHash), signature)) {
            revert AccessLedgerInvalidResearcherSignature(request.researcher);
        }
    }

    function _emitOutcome(AccessRequest calldata request, DenialReason reason, uint256 consentId) private {
        if (reason == DenialReason.None) {
            emit AccessGranted(
                request.patient,
                request.researcher,
                request.requestHash,
                request.dataClass,
                request.purpose,
                consentId,
                msg.sender
            );
        } else {
            emit AccessDenied(
                request.patient,
                request.researcher,
                request.requestHash,
                request.dataClass,
                request.purpose,
                consentId,
                reason,
                msg.sender
            );
        }
    }
}
